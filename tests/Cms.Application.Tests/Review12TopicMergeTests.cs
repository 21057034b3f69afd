using Cms.Application.Exporting;
using Cms.Core.Items;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW12 evidence (failing tests, not fixes): the topic merges of the migrations
// TopicsOneRegardlessOfCase (TopicCaseSql.Merge) and CategoryKeyCanonicalCaseless
// (CategoryKeySql.Topics), run on a database seeded as one before them was.
public sealed class Review12TopicMergeTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private List<string> TopicsOf(long id) =>
        app.Read(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).ThenBy(t => t.TopicId).Select(t => t.Topic!.Name).ToList());

    private async Task<List<int>> SeedTopicsAsync(params string[] names)
    {
        List<int> ids = [];
        foreach (var name in names)
        {
            ids.Add((int)(await app.OwnerAsync("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, $2, true, now()) RETURNING id",
                name, name.ToLowerInvariant()))!);
        }
        return ids;
    }

    private async Task TagAsync(long item, params int[] topics)
    {
        await app.OwnerAsync("DELETE FROM item_topics WHERE item_id = $1", item);
        for (var i = 0; i < topics.Length; i++)
        {
            await app.OwnerAsync("INSERT INTO item_topics (item_id, topic_id, position) VALUES ($1, $2, $3)", item, topics[i], i);
        }
    }

    // A person's merge or rename of a topic sends a Ready item carrying it back to New
    // (TopicAdministration: "what is published is what was reviewed"). The migration's merge of
    // "οδος" into "ΟΔΟΣ" changes the topic a Ready item will publish in the same way, yet leaves it
    // Ready: the file published is not the one reviewed.
    [Fact]
    public async Task A_Ready_item_whose_topic_the_migration_merges_into_another_spelling_goes_back_to_New()
    {
        var tag = Unique.Tag();
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        string[] names = [$"ΟΔΟΣ {tag}", $"οδος {tag}"];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            var topics = await SeedTopicsAsync(names);
            await TagAsync(id, topics[1]);
            await app.OwnerAsync("UPDATE items SET state = 'Ready', ready_by = 'someone', ready_by_name = 'someone@example.com', ready_at = now() WHERE id = $1", id);
        });

        // What the reviewer saw was "οδος"; what a publish would write now is "ΟΔΟΣ".
        Assert.Equal([names[0]], TopicsOf(id));
        var folder = Path.Combine(Path.GetTempPath(), "review12-" + tag);
        try
        {
            await app.RunAsync(s => s.GetRequiredService<ItemExporter>().ExportAsync(folder, WorkflowState.Ready, CancellationToken.None));
            var written = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText).SingleOrDefault(t => t.Contains(tag));
            Assert.NotNull(written);
            Assert.Contains(names[0], written);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }
        Assert.Equal(WorkflowState.New, app.Read(db => db.Items.Single(i => i.Id == id).State));
    }

    // TopicCaseSql.Merge keeps the kept topic at its twin's place when the item carried the twin
    // first ("An item carrying the kept topic after a twin keeps it at the twin's place", tested by
    // TopicCaseMigrationTests); CategoryKeySql.Topics, the same merge written a second time for the
    // twins the canonical key reveals, lacks that step: the item's topics are reordered.
    [Fact]
    public async Task The_canonical_key_migration_keeps_the_kept_topic_at_its_twins_place_as_the_case_merge_does()
    {
        var tag = Unique.Tag();
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml());
        // Older J + U+030C capital, newer precomposed ǰ: two keys under the key before
        // CategoryKeyCanonicalCaseless, one under it.
        string[] caron = [$"J\u030COURNAL {tag}", $"\u01F0ournal {tag}", $"Other {tag}"];
        // The same shape for the twins TopicsOneRegardlessOfCase merges.
        string[] sigma = [$"ΟΔΟΣ {tag}", $"οδος {tag}", $"Else {tag}"];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            var c = await SeedTopicsAsync(caron);
            var s = await SeedTopicsAsync(sigma);
            await TagAsync(ids[0], c[1], c[2], c[0]);
            await TagAsync(ids[1], s[1], s[2], s[0]);
        });

        Assert.Equal([sigma[0], sigma[2]], TopicsOf(ids[1]));
        Assert.Equal([caron[0], caron[2]], TopicsOf(ids[0]));
    }

    // Delivered rows keep the names as delivered; DeliveryTopicSql.Fill keys them with
    // cms_category_key(name), which does not clean the name, while ?topic= is keyed in C# by
    // TopicNames.Normalize = CaseKey(CleanName(name)). A name delivered before the name rule
    // (a no-break space, a double space) gets a key no request can produce: not even its exact
    // spelling finds it, where before the migration (topics @> ARRAY[@topic]) it did.
    [Fact]
    public async Task A_topic_delivered_with_a_no_break_space_is_found_by_its_own_spelling()
    {
        var tag = Unique.Tag();
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        var delivered = $"Broken\u00A0links {tag}";
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, () => app.OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, '{}', '', '')
            """, id, new[] { delivered }));

        var found = await app.RunAsync(s => s.GetRequiredService<Cms.Application.Delivery.PublishedQuery>().NewestAsync(null, delivered, null, 10, CancellationToken.None));
        Assert.Equal([id], found.Select(e => e.Id));
    }
}

// REVIEW12 evidence: TopicsOneRegardlessOfCase.Down rebuilds the old key with PostgreSQL's lower(),
// whose result follows the database's collation and differs from the new key's: "İzmir" and
// "Izmir" are two topics under the new key (İ/ı/I stay apart, TopicNames), one under lower() in a
// C.UTF-8 or en_US database, so the unique index of the Down fails and the database cannot be
// taken back past the migration (the test fixture's AtMigrationAsync does exactly that).
public sealed class Review12TopicDownTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task Taking_the_database_back_past_TopicsOneRegardlessOfCase_keeps_topics_that_the_new_key_keeps_apart()
    {
        var tag = Unique.Tag();
        await app.OwnerAsync("INSERT INTO topics (name, from_import, created_at) VALUES ($1, true, now()), ($2, true, now())", $"\u0130zmir {tag}", $"Izmir {tag}");
        Assert.Equal(2, app.Read(db => db.Topics.Count(t => t.Name.EndsWith(tag))));

        Exception? failed = null;
        try
        {
            await app.MigrateAsync(ApplicationFixture.BeforeComputedTopicKeys);
        }
        catch (Exception ex)
        {
            failed = ex;
        }
        finally
        {
            await app.OwnerAsync("DELETE FROM topics WHERE name LIKE $1", $"%{tag}");
            await app.MigrateAsync();
        }
        Assert.Null(failed);
    }
}
