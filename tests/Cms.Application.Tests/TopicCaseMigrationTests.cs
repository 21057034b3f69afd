using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Migrations.Sql;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// POLISH10: topics that were two under the old key (the name lower-cased by ToLowerInvariant) and
// are one under the categories' rule ("ΟΔΟΣ" and "οδος", "Sport" and "ſport") are merged by the
// migration TopicsOneRegardlessOfCase into the oldest, with their audit events; a delivered item
// keeps the topics it was delivered with and is found under the kept spelling. The database is
// taken back to the migration before, seeded as such a database was, and migrated forward.
public sealed class TopicCaseMigrationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task Case_twins_stored_before_are_merged_into_the_oldest_with_an_audit_event_each_and_a_second_run_changes_nothing()
    {
        var tag = Unique.Tag();
        var ids = await app.ImportAsync([.. Enumerable.Range(0, 5).Select(_ => new TestItem().ToYaml())]);
        // Topics as the old key let them stand (each name's key then: its ToLowerInvariant), in id order.
        string[] names = [$"ΟΔΟΣ {tag}", $"οδος {tag}", $"Sport {tag}", $"\u017Fport {tag}", $"Other {tag}"];
        List<int> topics = [];
        List<uint> versions = [];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            foreach (var name in names)
            {
                topics.Add((int)(await app.OwnerAsync("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, $2, true, now()) RETURNING id",
                    name, name.ToLowerInvariant()))!);
            }
            async Task TagAsync(long item, params int[] tagged)
            {
                for (var i = 0; i < tagged.Length; i++)
                {
                    await app.OwnerAsync("INSERT INTO item_topics (item_id, topic_id, position) VALUES ($1, $2, $3)", item, topics[tagged[i]], i);
                }
            }
            await TagAsync(ids[0], 0);
            await TagAsync(ids[1], 1);
            await TagAsync(ids[2], 1, 4, 0);
            await TagAsync(ids[3], 3);
            await TagAsync(ids[4], 4);
            await app.OwnerAsync("""
                INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
                VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, '{"topics":["as delivered"]}', '', '')
                """, ids[1], new[] { names[1] });
            versions.AddRange(app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList()));
        });

        Assert.Equal([(topics[0], names[0]), (topics[2], names[2]), (topics[4], names[4])],
            app.Read(db => db.Topics.Where(t => t.Name.EndsWith(tag)).OrderBy(t => t.Id).Select(t => new { t.Id, t.Name }).ToList()).Select(t => (t.Id, t.Name)));
        Assert.Equal(TopicNames.Normalize(names[1]), app.Read(db => db.Topics.Single(t => t.Id == topics[0]).NormalizedName));
        List<string> TopicsOf(long id) => app.Read(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        Assert.Equal(new List<string>[] { [names[0]], [names[0]], [names[0], names[4]], [names[2]], [names[4]] }, ids.Select(TopicsOf));
        Assert.Equal([true, false, false, false, true], app.Read(db => ids.Select((id, n) => db.Items.Single(i => i.Id == id).Version == versions[n]).ToList()));

        var merged = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.TopicMerged).OrderBy(e => e.Id).ToList());
        Assert.All(merged, e => Assert.Equal((TopicCaseSql.Actor, AuditTargets.Topic), (e.Actor, e.EntityType)));
        string? Field(string? data, string name) => JsonDocument.Parse(data!).RootElement.GetProperty(name).ToString();
        Assert.Equal([(topics[0].ToString(), names[1], names[0], "2"), (topics[2].ToString(), names[3], names[2], "1")],
            merged.Select(e => (e.EntityId, Field(e.Data, "from"), Field(e.Data, "into"), Field(e.Data, "items"))));
        var moved = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemTopicsMerged).OrderBy(e => e.Id).ToList());
        Assert.Equal(ids[1..4].Select(id => id.ToString()), moved.Select(e => e.EntityId));
        Assert.All(moved, e => Assert.Equal((TopicCaseSql.Actor, AuditTargets.Item), (e.Actor, e.EntityType)));
        var change = JsonDocument.Parse(moved[1].Data!).RootElement.GetProperty("changes")[0];
        Assert.Equal("topics", change.GetProperty("field").GetString());
        Assert.Equal([names[1], names[4], names[0]], change.GetProperty("before").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([names[0], names[4]], change.GetProperty("after").EnumerateArray().Select(t => t.GetString()));

        // Delivered as it was, found under the kept spelling.
        var delivered = app.Read(db => db.PublishedItems.Single(p => p.ItemId == ids[1]));
        Assert.Equal([names[1]], delivered.Topics);
        Assert.Equal("""{"topics":["as delivered"]}""", delivered.Document);
        var found = await app.RunAsync(s => s.GetRequiredService<PublishedQuery>().NewestAsync(null, names[0], null, 10, CancellationToken.None));
        Assert.Equal([ids[1]], found.Select(e => e.Id));

        // A second run finds nothing: no event, no row touched.
        var events = app.Read(db => db.AuditEvents.Count());
        var after = app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList());
        await app.OwnerAsync(TopicCaseSql.Merge);
        Assert.Equal(events, app.Read(db => db.AuditEvents.Count()));
        Assert.Equal(after, app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList()));
    }
    // The delivered rows' topic keys are filled by TopicsOneRegardlessOfCase with the key function of
    // its time; CategoryKeyCanonicalCaseless changes the function, so it recomputes them: a topic
    // delivered as "J" + U+030C is found by "ǰ" (one name under the canonical caseless key).
    [Fact]
    public async Task A_topic_delivered_before_the_canonical_key_is_found_by_its_composed_spelling()
    {
        var tag = Unique.Tag();
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        var delivered = $"J\u030COURNAL {tag}";
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, () => app.OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, '{}', '', '')
            """, id, new[] { delivered }));

        Assert.Equal([TopicNames.Normalize(delivered)], app.Read(db => db.PublishedItems.Single(p => p.ItemId == id).TopicKeys));
        var found = await app.RunAsync(s => s.GetRequiredService<PublishedQuery>().NewestAsync(null, $"\u01F0ournal {tag}", null, 10, CancellationToken.None));
        Assert.Equal([id], found.Select(e => e.Id));
    }
}
