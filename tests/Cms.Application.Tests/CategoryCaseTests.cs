using System.Text;
using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// CATEGORY: categories that differ only in letter case are one category (CategoryNames.Key): the
// import stores the list's spelling, the edit form maps a twin to it, the list's unique key
// refuses a twin whoever writes, and the queue's filter, saved views and delivery find the items
// whatever the case asked. The database's key (cms_category_key) agrees with the C# rule.
public sealed class CategoryCaseTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    private async Task<T> ScalarAsync<T>(string sql, params object[] values) => (T)(await app.OwnerAsync(sql, values))!;

    private List<string> ListedLike(string tag) =>
        app.Read(db => db.Categories.Where(c => c.Name.EndsWith(tag)).OrderBy(c => c.Id).Select(c => c.Name).ToList());

    private string? CategoryOf(long id) => app.Read(db => db.Items.Single(i => i.Id == id).Category);

    [Fact]
    public async Task An_imported_category_differing_only_in_case_is_stored_in_the_existing_spelling()
    {
        var world = (await app.ImportAsync(new TestItem { Category = $"World {_tag}" }.ToYaml()))[0];

        var lower = (await app.ImportAsync(new TestItem { Category = $"world {_tag}" }.ToYaml()))[0];

        Assert.Equal([$"World {_tag}"], ListedLike(_tag));
        Assert.Equal($"World {_tag}", CategoryOf(world));
        Assert.Equal($"World {_tag}", CategoryOf(lower));
    }

    // The import lists a new category in its batch's topics-and-ids round trip when the batch has
    // new items, on its own when it only updates: either way once, audited, in the import's
    // transaction (IMPORT14 moved the first into that round trip).
    [Fact]
    public async Task A_category_new_to_the_list_is_listed_and_audited_once_from_a_new_item_and_from_an_update()
    {
        var item = new TestItem { Category = $"Sport {_tag}" };
        var id = (await app.ImportAsync(item.ToYaml()))[0];
        // The same URL again, changed: an update of an untouched item, the batch's only file.
        var updated = (await app.ImportAsync((item with { Title = "Changed " + _tag, Category = $"Weather {_tag}" }).ToYaml()))[0];

        Assert.Equal(id, updated);
        Assert.Equal([$"Sport {_tag}", $"Weather {_tag}"], ListedLike(_tag));
        Assert.Equal($"Weather {_tag}", CategoryOf(id));
        var listed = app.Read(db => db.Categories.Where(c => c.Name.EndsWith(_tag)).OrderBy(c => c.Id).Select(c => new { c.Id, c.FromImport }).ToList());
        Assert.All(listed, c => Assert.True(c.FromImport));
        foreach (var category in listed)
        {
            Assert.Equal(1, app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.CategoryCreated && e.EntityId == category.Id.ToString())));
        }
    }

    [Fact]
    public async Task Case_twins_new_to_the_list_in_one_import_take_the_first_files_spelling()
    {
        var ids = await app.ImportAsync(
            new TestItem { Category = $"BUSINESS {_tag}" }.ToYaml(),
            new TestItem { Category = $"business {_tag}" }.ToYaml(),
            new TestItem { Category = $"Business {_tag}" }.ToYaml());

        Assert.Equal([$"BUSINESS {_tag}"], ListedLike(_tag));
        Assert.All(ids, id => Assert.Equal($"BUSINESS {_tag}", CategoryOf(id)));
    }

    [Fact]
    public async Task An_editor_may_import_a_known_category_in_another_case()
    {
        await app.ImportAsync(new TestItem { Category = $"Culture {_tag}" }.ToYaml());
        var files = new[] { Importing.ImportSources.FromBytes("e.txt", Encoding.UTF8.GetBytes(new TestItem { Category = $"CULTURE {_tag}" }.ToYaml())) };

        var report = await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Editor(), files, null, CancellationToken.None));

        Assert.True(report.Succeeded, report.Result.Message);
        Assert.Equal((1, 0), (report.Value!.Imported, report.Value.Problems.Count));
        Assert.Equal([$"Culture {_tag}"], ListedLike(_tag));
        Assert.Equal($"Culture {_tag}", app.Read(db => db.Items.Single(i => i.FileName == "e.txt").Category));
    }

    // Decided: simple case folding. Long s, KELVIN SIGN (NFC makes it K), final sigma and capital
    // sharp s are twins of the usual letters; dotted and dotless i fold to themselves (Turkish rules
    // are a language's, not the list's), and ß is not "ss" (full folding would merge distinct words).
    [Theory]
    [InlineData("Sport", "\u017Fport", true)]          // LATIN SMALL LETTER LONG S
    [InlineData("kultur", "\u212Aultur", true)]        // KELVIN SIGN
    [InlineData("ΟΔΟΣ", "οδος", true)]                 // final sigma
    [InlineData("STRAẞE", "straße", true)]             // CAPITAL SHARP S
    [InlineData("НОВОСТИ", "новости", true)]           // Cyrillic
    [InlineData("µ-Tech", "μ-tech", true)]             // MICRO SIGN and GREEK SMALL LETTER MU
    [InlineData("İzmir", "izmir", false)]              // dotted capital I
    [InlineData("Izmir", "ızmir", false)]              // dotless small i
    [InlineData("STRASSE", "straße", false)]
    public async Task A_name_that_folds_to_anothers_is_that_category_and_other_look_alikes_are_not(string first, string second, bool same)
    {
        var ids = await app.ImportAsync(new TestItem { Category = $"{first} {_tag}" }.ToYaml(), new TestItem { Category = $"{second} {_tag}" }.ToYaml());

        var expected = same ? [UnicodeText.CleanName($"{first} {_tag}")] : new[] { $"{first} {_tag}", $"{second} {_tag}" }.Select(UnicodeText.CleanName).ToList();
        Assert.Equal(expected, ListedLike(_tag));
        Assert.Equal(same ? expected[0] : expected[1], CategoryOf(ids[1]));
    }

    // The published file says what the item page shows: an item nobody edited, imported as
    // "world" while the list says "World", is written with "World".
    [Fact]
    public async Task The_file_of_an_unedited_item_imported_in_another_case_carries_the_lists_spelling()
    {
        await app.ImportAsync(new TestItem { Category = $"World {_tag}" }.ToYaml());
        var id = (await app.ImportAsync(new TestItem { Category = $"world {_tag}" }.ToYaml()))[0];
        var file = app.Read(db => db.Items.Single(i => i.Id == id).FileName);
        var folder = Path.Combine(Path.GetTempPath(), "cms-category-" + _tag);
        try
        {
            await app.RunAsync(s => s.GetRequiredService<Exporting.ItemExporter>().ExportAsync(folder, Core.Items.WorkflowState.New, CancellationToken.None));

            var text = await File.ReadAllTextAsync(Path.Combine(folder, file));
            Assert.Contains($"category: \"World {_tag}\"", text);
            Assert.DoesNotContain($"world {_tag}", text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_list_refuses_a_case_twin_whoever_writes_it()
    {
        await app.ImportAsync(new TestItem { Category = $"Science {_tag}" }.ToYaml());

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<object>("INSERT INTO categories (name, from_import) VALUES ($1, false) RETURNING id", $"SCIENCE {_tag}"));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal("ix_categories_normalized_name", refused.ConstraintName);
    }

    private SaveItemEdits.Command Posting(long id, string? category) => app.Read(db =>
    {
        var item = db.Items.AsNoTracking().Include(i => i.RelatedLinks).Single(i => i.Id == id);
        return new SaveItemEdits.Command(id, item.Version, item.Quality, category, [],
            item.RelatedLinks.OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), null);
    });

    private Task<Outcome> SaveAsync(SaveItemEdits.Command command) =>
        app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), command, CancellationToken.None));

    [Fact]
    public async Task The_edit_form_stores_a_posted_case_twin_as_the_lists_spelling()
    {
        await app.ImportAsync(new TestItem { Category = $"World {_tag}" }.ToYaml());
        var id = (await app.ImportAsync(new TestItem { Category = $"Sport {_tag}" }.ToYaml()))[0];

        var outcome = await SaveAsync(Posting(id, $"WORLD  {_tag}"));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal($"World {_tag}", CategoryOf(id));
        Assert.Equal([$"World {_tag}", $"Sport {_tag}"], ListedLike(_tag));
        var edited = app.Read(db => db.AuditEvents.Where(e => e.EntityId == id.ToString() && e.Action == Core.Auditing.AuditActions.ItemEdited).Select(e => e.Data).Single());
        Assert.Contains($"\"after\":\"World {_tag}\"", edited);
    }

    [Fact]
    public async Task Saving_an_item_with_its_category_in_another_case_is_no_change()
    {
        var id = (await app.ImportAsync(new TestItem { Category = $"Tech {_tag}" }.ToYaml()))[0];
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var outcome = await SaveAsync(Posting(id, $"tech {_tag}"));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal(version, app.Read(db => db.Items.Single(i => i.Id == id).Version));
        Assert.Equal($"Tech {_tag}", CategoryOf(id));
    }

    [Fact]
    public async Task Accepting_a_revisions_category_in_another_case_stores_the_lists_spelling()
    {
        var story = new TestItem { Category = $"Health {_tag}" };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        Assert.True((await SaveAsync(Posting(id, $"Health {_tag}") with { Quality = 42 })).Succeeded);
        var files = new[] { Importing.ImportSources.FromBytes("r.txt", Encoding.UTF8.GetBytes((story with { Category = $"health {_tag}", ExtraYaml = ["wordCount: 800"] }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Editor(), id, comparison!.RevisionId, version, ["category"], CancellationToken.None));

        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal($"Health {_tag}", CategoryOf(id));
        Assert.Equal([$"Health {_tag}"], ListedLike(_tag));
    }

    [Theory]
    [InlineData("world")]
    [InlineData("WORLD")]
    [InlineData("wOrLd ")]
    public async Task The_queue_filter_and_a_saved_views_query_find_a_category_whatever_the_case(string typed)
    {
        var ids = await app.ImportAsync(new TestItem { Category = $"World {_tag}" }.ToYaml(), new TestItem { Category = $"World {_tag}" }.ToYaml());
        var view = new QueueView { Category = $"{typed} {_tag.ToUpperInvariant()}" };

        var page = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().PageAsync(view, CancellationToken.None));
        var saved = QueueViewText.Parse(QueueViewText.Format(view)).View!;
        var count = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().TotalAsync(saved, CancellationToken.None));

        Assert.Equal(ids.Order(), page.Items.Select(r => r.Id).Order());
        Assert.Equal(2, count.Value);
    }

    [Fact]
    public async Task Delivery_finds_a_category_whatever_the_case_asked()
    {
        var id = (await app.ImportAsync(new TestItem { Category = $"World {_tag}" }.ToYaml()))[0];
        await ScalarAsync<object>("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), $2, '{}', '{}', '', '') RETURNING item_id
            """, id, $"World {_tag}");

        var found = await app.RunAsync(s => s.GetRequiredService<PublishedQuery>().NewestAsync($"WORLD {_tag}", null, null, 10, CancellationToken.None));

        Assert.Equal([id], found.Select(e => e.Id));
    }

    // REVIEW11 R11-2: an accepted revision stored a category the list lacked (revisions are kept
    // without the import's rules); a later import of the same name in another case listed that
    // spelling, and the filter (by the list's spelling) then found the first item under no
    // spelling. An accepted revision's category now joins the list as the import's would, so the
    // later import takes its spelling and the filter finds both items under any case.
    [Fact]
    public async Task The_queue_filter_finds_an_item_whose_category_an_accepted_revision_set_whatever_the_case_later_imported()
    {
        var story = new TestItem { Category = $"Health {_tag}" };
        var revised = (await app.ImportAsync(story.ToYaml()))[0];
        var edit = app.Read(db => new SaveItemEdits.Command(revised, db.Items.Single(i => i.Id == revised).Version, 42, $"Health {_tag}", [.. story.Topics ?? []], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None))).Succeeded);
        var files = new[] { Importing.ImportSources.FromBytes("r.txt", Encoding.UTF8.GetBytes((story with { Category = $"Novel {_tag}" }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(revised, CancellationToken.None));
        var version = app.Read(db => db.Items.Single(i => i.Id == revised).Version);
        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Publisher(), revised, comparison!.RevisionId, version, ["category"], CancellationToken.None));
        Assert.True(accepted.Succeeded, accepted.Message);

        var imported = (await app.ImportAsync(new TestItem { Category = $"NOVEL {_tag}" }.ToYaml()))[0];

        Assert.Equal([$"Novel {_tag}"], ListedLike(_tag).Where(n => n.StartsWith("Novel", StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(($"Novel {_tag}", $"Novel {_tag}"), (CategoryOf(revised), CategoryOf(imported)));
        foreach (var typed in new[] { $"Novel {_tag}", $"NOVEL {_tag}", $"novel {_tag}" })
        {
            var page = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().PageAsync(new QueueView { Category = typed }, CancellationToken.None));
            Assert.Equal(new[] { revised, imported }.Order(), page.Items.Select(r => r.Id).Order());
        }
    }

    // The database computes the list's key (categories.normalized_name) with cms_category_key; it
    // must give CategoryNames.Key's answer for every code point (so a lookup by the C# key finds the
    // row), whatever the cluster's locale; and, the key being the canonical caseless match (the NFD
    // form folded, then NFC: REVIEW11 R11-4), for each code point's NFD form and that form's capital
    // (the capital of "ǰ" is "J" + U+030C: no precomposed letter), where PostgreSQL's normalize()
    // and .NET's must agree too. lower() would not: it follows the collation.
    [Fact]
    public async Task The_databases_key_agrees_with_the_rule_on_every_code_point_and_its_decomposed_forms()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var cp = 1; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }
            var one = new Rune(cp).ToString();
            var nfd = UnicodeText.Normalized(one, NormalizationForm.FormD);
            names.Add(one);
            names.Add(nfd);
            names.Add(string.Concat(nfd.EnumerateRunes().Select(r => Rune.ToUpperInvariant(r).ToString())));
        }
        var all = names.ToArray();
        var actual = new List<string>(all.Length);
        await using var conn = new NpgsqlConnection(app.OwnerConnectionString);
        await conn.OpenAsync();
        await using (var cmd = new NpgsqlCommand("SELECT cms_category_key(n) FROM unnest(@names) WITH ORDINALITY AS t(n, o) ORDER BY o", conn))
        {
            cmd.Parameters.AddWithValue("names", all);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                actual.Add(reader.GetString(0));
            }
        }

        var differ = all.Select((n, i) => (Name: n, Rule: UnicodeText.CaseKey(n), Database: actual[i])).Where(x => x.Rule != x.Database)
            .Select(x => $"{string.Join(" ", x.Name.EnumerateRunes().Select(r => $"U+{r.Value:X4}"))}: {x.Rule} / {x.Database}").ToList();
        Assert.True(differ.Count == 0, $"{differ.Count} names differ, e.g. " + string.Join("; ", differ.Take(20)));
        Assert.Equal(all.Length, actual.Count);
    }

    public static TheoryData<string> Corpus() =>
    [
        "İstanbul", "ISTANBUL", "ıstanbul", "istanbul", "DİYARBAKIR", "diyarbakır",
        "Straße", "STRASSE", "STRAẞE", "straße",
        "ΟΔΟΣ", "Οδός", "οδος", "ὈΔΥΣΣΕΎΣ", "ᾼ", "ͅ",
        "Москва", "МОСКВА", "Ёлка", "ёЛКА", "ЎЗБЕК", "ǅemal", "ǄEMAL", "ꭰꮃ", "ᎠᎳ",
        "𐐀𐐨 Deseret", "Ⅻ ⓐⒶ", "Ａｂｃ", "ﬁ", "ŉ", "K Å Ω", "µ", "ẛ",
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task The_databases_key_agrees_with_the_rule_on_a_corpus_of_names(string name)
    {
        var clean = UnicodeText.CleanName(name);

        var key = await ScalarAsync<string>("SELECT cms_category_key($1)", clean);

        Assert.Equal(CategoryNames.Key(name), key);
    }
}
