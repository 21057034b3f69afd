using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// REVIEW7 #11, #5: a category is stored, listed and compared in one form (UnicodeText.CleanName),
// at import, in the edit form and, for rows stored before, by the migration NameSpellingSql.
public sealed class CategorySpellingTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private SaveItemEdits.Command Unchanged(long id, int quality) => app.Read(db =>
    {
        var item = db.Items.AsNoTracking().Include(i => i.RelatedLinks).Single(i => i.Id == id);
        // What the edit form posts: the item's category as the select holds it, quality changed.
        return new SaveItemEdits.Command(id, item.Version, quality, item.Category, [],
            item.RelatedLinks.OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), null);
    });

    private Task<Outcome> SaveAsync(SaveItemEdits.Command command) =>
        app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), command, CancellationToken.None));

    private Task OwnerAsync(string sql, params object[] values) => app.OwnerAsync(sql, values);

    [Fact]
    public async Task An_item_imported_with_a_padded_category_is_stored_trimmed_and_can_be_saved_unchanged()
    {
        var name = $"world news {Guid.NewGuid():N}";
        var id = (await app.ImportAsync(new TestItem { Quality = 10, Category = "  " + name.Replace(" ", "\u00A0 ") + " " }.ToYaml()))[0];

        Assert.Equal(name, app.Read(db => db.Items.Single(i => i.Id == id).Category));
        Assert.Equal([name], app.Read(db => db.Categories.Where(c => c.Name.Contains(name.Substring(11))).Select(c => c.Name).ToList()));
        var outcome = await SaveAsync(Unchanged(id, 20));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => $"{e.Field}: {e.Message}")));
        Assert.Equal(20, app.Read(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Fact]
    public async Task An_item_whose_stored_category_differs_only_in_blanks_is_saved_without_changing_it()
    {
        var name = $"sport {Guid.NewGuid():N}";
        var id = (await app.ImportAsync(new TestItem { Quality = 10, Category = name }.ToYaml()))[0];
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", " " + name, id); // as stored before the rule

        var outcome = await SaveAsync(Unchanged(id, 30));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => $"{e.Field}: {e.Message}")));
        Assert.Equal(" " + name, app.Read(db => db.Items.Single(i => i.Id == id).Category));
    }

    [Fact]
    public async Task Look_alike_spellings_of_a_category_import_as_one_list_entry()
    {
        var tag = Guid.NewGuid().ToString("N");
        var ids = await app.ImportAsync(
            new TestItem { Category = $"Café {tag}" }.ToYaml(),
            new TestItem { Category = $"Cafe\u0301 {tag}" }.ToYaml(),
            new TestItem { Category = $"Café  {tag} " }.ToYaml());

        Assert.Equal([$"Café {tag}"], app.Read(db => db.Categories.Where(c => c.Name.EndsWith(tag)).Select(c => c.Name).ToList()));
        Assert.Equal([$"Café {tag}"], app.Read(db => db.Items.Where(i => ids.Contains(i.Id)).Select(i => i.Category).Distinct().ToList()));
    }

    [Fact]
    public async Task The_migration_brings_categories_and_topics_stored_before_the_rule_to_one_spelling()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var id = (await app.ImportAsync(new TestItem { Category = $"Café {tag}" }.ToYaml()))[0];
        var blank = (await app.ImportAsync(new TestItem { Category = $"blank {tag}" }.ToYaml()))[0];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            // As the importer stored them before: untrimmed, NFD, doubled and no-break blanks.
            await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $" Cafe\u0301  {tag}", id);
            await OwnerAsync("UPDATE items SET category = '  ' WHERE id = $1", blank);
            await OwnerAsync("INSERT INTO categories (name, from_import) VALUES ($1, true), ($2, true), ($3, true)",
                $"Cafe\u0301 {tag}", $"Café\u00A0{tag} ", $"x{tag}  y");
            await OwnerAsync("""
                INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES
                  ($1, lower($1), true, now()), ($2, lower($2), true, now()), ($3, lower($3), true, now())
                """, $"Broken  links {tag}", $"broken\u00A0links {tag}", $"Lone\u3000topic {tag}");

            await OwnerAsync(NameSpellingSql.Fold);

            Assert.Equal($"Café {tag}", app.Read(db => db.Items.Single(i => i.Id == id).Category));
            Assert.Null(app.Read(db => db.Items.Single(i => i.Id == blank).Category));
            Assert.Equal([$"Café {tag}", $"blank {tag}", $"x{tag} y"],
                app.Read(db => db.Categories.Where(c => c.Name.Contains(tag)).Select(c => c.Name).ToList()).Order(StringComparer.Ordinal));
            var topics = app.Read(db => db.Topics.Where(t => t.Name.Contains(tag)).OrderBy(t => t.Id).Select(t => new { t.Name, t.NormalizedName }).ToList());
            Assert.Equal($"Broken links {tag}", topics[0].Name);
            Assert.Equal($"broken links {tag}", topics[0].NormalizedName);
            Assert.Equal($"broken\u00A0links {tag}", topics[1].NormalizedName); // the look-alike keeps its old key until MergeLookAlikeTopicsWithAudit
            Assert.Equal($"lone topic {tag}", topics[2].NormalizedName);
        });
    }

    // REVIEW8 #9: a source saying `category: ""` (or blanks only) reads as an item without a
    // category everywhere a stored source is read again: reread-text re-reads it (not
    // "unreadable") and a newer source of it can be compared and accepted.
    [Fact]
    public async Task A_stored_source_with_a_blank_category_is_reread_and_its_revision_can_be_accepted()
    {
        var story = new TestItem { Category = "\u00A0" };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        Assert.Null(app.Read(db => db.Items.Single(i => i.Id == id).Category));
        await OwnerAsync("UPDATE items SET title = 'Stored under an older rule' WHERE id = $1", id);

        var reread = await app.RunAsync(s => s.GetRequiredService<StoredTextReread>().RunAsync(CancellationToken.None));

        Assert.True(reread.Succeeded, reread.Result.Message);
        Assert.Equal(0, reread.Value!.Unreadable);
        Assert.Equal(story.Title, app.Read(db => db.Items.Single(i => i.Id == id).Title));

        // An editor's save makes the next source a revision to decide (not an update in place).
        Assert.True((await SaveAsync(Unchanged(id, 61))).Succeeded);
        var tag = Guid.NewGuid().ToString("N")[..12];
        var files = new[] { ImportSources.FromBytes($"{tag}.txt", System.Text.Encoding.UTF8.GetBytes((story with { Category = $"news {tag}" }).ToYaml())) };
        var imported = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.Equal(1, imported.Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        Assert.NotNull(comparison);
        Assert.Null(comparison.Problem);
        var row = Assert.Single(comparison.Rows, r => r.Field == "category");
        Assert.Equal((null, $"news {tag}"), (row.Current, row.Incoming));
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);
        // A publisher: the category is new to the list, which it joins (REVIEW11 R11-2).
        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Publisher(), id, comparison.RevisionId, version, ["category"], CancellationToken.None));
        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal($"news {tag}", app.Read(db => db.Items.Single(i => i.Id == id).Category));
    }

    // REVIEW8 #2: the fold's SQL (PostgreSQL's normalize()) and CleanName read a name holding a
    // noncharacter alike: the text around it normalized, the noncharacter kept (NameProblem then
    // refuses such a name for new entries).
    [Fact]
    public async Task The_migration_and_the_name_rule_clean_a_name_holding_a_noncharacter_alike()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var id = (await app.ImportAsync(new TestItem { Category = $"plain {tag}" }.ToYaml()))[0];
        var stored = $" Cafe\u0301\uFFFE  {tag}\U0001FFFFe\u0301";
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", stored, id);

        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            await OwnerAsync(NameSpellingSql.Fold);

            Assert.Equal($"Caf\u00E9\uFFFE {tag}\U0001FFFF\u00E9", Core.Text.UnicodeText.CleanName(stored));
            Assert.Equal(Core.Text.UnicodeText.CleanName(stored), app.Read(db => db.Items.Single(i => i.Id == id).Category));
        });
    }

    // REVIEW8 #6: the look-alike topics the fold left side by side are merged by the next migration
    // (LookAlikeTopicsSql) into the oldest, which takes the clean name; their items carry it (one
    // link each), their rows are touched, and every list change has its audit event.
    [Fact]
    public async Task Look_alike_topics_left_by_the_fold_are_merged_into_the_oldest_with_an_audit_event_each()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml());
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            string[] names = [$"Broken  links {tag}", $"broken\u00A0links {tag}", $"BROKEN links {tag}"];
            foreach (var name in names)
            {
                await OwnerAsync("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, lower($1), true, now())", name);
            }
            async Task TagAsync(long item, string name, int position) =>
                await OwnerAsync("INSERT INTO item_topics (item_id, topic_id, position) SELECT $1, id, $2 FROM topics WHERE name = $3", item, position, name);
            await TagAsync(ids[0], names[1], 0);
            await TagAsync(ids[1], names[0], 0);
            await TagAsync(ids[1], names[2], 1);
            await OwnerAsync(NameSpellingSql.Fold);
            var oldest = app.Read(db => db.Topics.Where(t => t.Name.Contains(tag)).Min(t => t.Id));
            var versions = app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList());

            await OwnerAsync(LookAlikeTopicsSql.Merge);

            var topic = Assert.Single(app.Read(db => db.Topics.Where(t => t.Name.Contains(tag)).ToList()));
            Assert.Equal((oldest, $"Broken links {tag}", $"broken links {tag}"), (topic.Id, topic.Name, topic.NormalizedName));
            Assert.Equal(new List<int>[] { [oldest], [oldest], [] }, app.Read(db => ids.Select(id => db.ItemTopics.Where(t => t.ItemId == id).Select(t => t.TopicId).ToList()).ToList()));
            Assert.Equal(new[] { false, false, true }, app.Read(db => ids.Select((id, n) => db.Items.Single(i => i.Id == id).Version == versions[n]).ToList()));
            var events = app.Read(db => db.AuditEvents.Where(e => e.EntityId == oldest.ToString() && e.EntityType == "topic").OrderBy(e => e.Id).ToList());
            Assert.All(events, e => Assert.Equal(LookAlikeTopicsSql.Actor, e.Actor));
            Assert.Equal(new[] { "topic.renamed", "topic.merged", "topic.merged" }, events.Select(e => e.Action));
            string? Field(int n, string name) => System.Text.Json.JsonDocument.Parse(events[n].Data!).RootElement.GetProperty(name).GetString();
            Assert.Equal((names[0], topic.Name), (Field(0, "before"), Field(0, "after")));
            Assert.Equal((names[1], names[2]), (Field(1, "from"), Field(2, "from")));
            Assert.Equal(topic.Name, Field(2, "into"));
            // A second run finds nothing to merge.
            await OwnerAsync(LookAlikeTopicsSql.Merge);
            Assert.Equal(3, app.Read(db => db.AuditEvents.Count(e => e.EntityId == oldest.ToString() && e.EntityType == "topic")));
        });
    }
}
