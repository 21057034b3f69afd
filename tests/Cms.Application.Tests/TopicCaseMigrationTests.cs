using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Application.Items;
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

        // This test's events (the class's other tests merge topics of their own).
        var merged = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.TopicMerged).OrderBy(e => e.Id).ToList()).Where(e => e.Data!.Contains(tag, StringComparison.Ordinal)).ToList();
        Assert.All(merged, e => Assert.Equal((TopicCaseSql.Actor, AuditTargets.Topic), (e.Actor, e.EntityType)));
        string? Field(string? data, string name) => JsonDocument.Parse(data!).RootElement.GetProperty(name).ToString();
        Assert.Equal([(topics[0].ToString(), names[1], names[0], "2"), (topics[2].ToString(), names[3], names[2], "1")],
            merged.Select(e => (e.EntityId, Field(e.Data, "from"), Field(e.Data, "into"), Field(e.Data, "items"))));
        var named = ids.Select(id => id.ToString()).ToList();
        var moved = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemTopicsMerged && named.Contains(e.EntityId!)).OrderBy(e => e.Id).ToList());
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

    private Task MarkReadyAsync(long item, string? publishAt = null) => app.OwnerAsync(
        "UPDATE items SET state = 'Ready', ready_by = 'someone', ready_by_name = 'someone@example.com', ready_at = now(), publish_at = $2::timestamptz, publish_scheduled_by = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE 'someone' END, publish_scheduled_by_name = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE 'someone@example.com' END WHERE id = $1",
        item, (object?)publishAt ?? DBNull.Value);

    // REVIEW12 R12-2: a person's merge of a topic sends a Ready item carrying it back to New (what is
    // published is what was reviewed); the merges of the name migrations left such items Ready with
    // another spelling to publish. ReadyItemsBackAfterNameMerges sends them back, its schedule
    // dropped, with an audit event each; an item no merge touched stays Ready.
    [Fact]
    public async Task A_Ready_item_whose_topic_or_category_a_migration_merged_into_another_spelling_goes_back_to_New()
    {
        var tag = Unique.Tag();
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem { Category = $"\u01F0ournal {tag}" }.ToYaml(), new TestItem().ToYaml());
        string[] names = [$"ΟΔΟΣ {tag}", $"οδος {tag}"];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            var topics = await SeedTopicsAsync(names);
            await TagAsync(ids[0], topics[1]);
            await app.OwnerAsync("INSERT INTO categories (name, from_import) VALUES ($1, true)", $"J\u030COURNAL {tag}");
            await app.OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"J\u030COURNAL {tag}", ids[1]);
            await MarkReadyAsync(ids[0]);
            await MarkReadyAsync(ids[1], "2031-01-01T08:00:00Z");
            await MarkReadyAsync(ids[2]);
        });

        Assert.Equal([names[0]], TopicsOf(ids[0]));
        Assert.Equal($"\u01F0ournal {tag}", app.Read(db => db.Items.Single(i => i.Id == ids[1]).Category));
        var states = app.Read(db => ids.Select(id => db.Items.Where(i => i.Id == id).Select(i => new { i.State, i.ReadyAt, i.PublishAt }).Single()).ToList());
        Assert.Equal([WorkflowState.New, WorkflowState.New, WorkflowState.Ready], states.Select(s => s.State));
        Assert.Equal([false, false, true], states.Select(s => s.ReadyAt is not null));
        Assert.All(states, s => Assert.Null(s.PublishAt));
        var sent = ids.Select(id => id.ToString()).ToList();
        var events = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemEdited && sent.Contains(e.EntityId!)).OrderBy(e => e.Id).ToList());
        Assert.Equal(sent[..2], events.Select(e => e.EntityId));
        Assert.All(events, e => Assert.Equal(LookAlikeTopicsSql.Actor, e.Actor));
        var changes = events.Select(e => JsonDocument.Parse(e.Data!).RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("field").GetString()).ToList()).ToList();
        Assert.Equal(new List<string?>[] { ["state"], ["state", "publishAt"] }, changes);

        // Idempotent: run again, nothing more is sent back or recorded.
        var count = app.Read(db => db.AuditEvents.Count());
        await app.OwnerAsync(ReadyAfterNameMergeSql.SendBack);
        Assert.Equal(count, app.Read(db => db.AuditEvents.Count()));
        Assert.Equal(WorkflowState.Ready, app.Read(db => db.Items.Single(i => i.Id == ids[2]).State));
    }

    // REVIEW12 R12-5: TopicCaseSql.Merge keeps the kept topic at its twin's place when an item carried
    // the twin first; CategoryKeySql.Topics (landed in CategoryKeyCanonicalCaseless, run) keeps it at
    // its own place, after the topics that followed the twin. Documented in the README (migrations):
    // the list's order is the editor's, and neither migration can change now.
    [Fact]
    public async Task The_case_merge_keeps_the_kept_topic_at_its_twins_place_and_the_canonical_key_merge_at_its_own()
    {
        var tag = Unique.Tag();
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml());
        // Older J + U+030C capital, newer precomposed ǰ: two keys under the key before
        // CategoryKeyCanonicalCaseless, one under it.
        string[] caron = [$"J\u030COURNAL {tag}", $"\u01F0ournal {tag}", $"Other {tag}"];
        string[] sigma = [$"ΟΔΟΣ {tag}", $"οδος {tag}", $"Else {tag}"];
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, async () =>
        {
            var c = await SeedTopicsAsync(caron);
            var s = await SeedTopicsAsync(sigma);
            await TagAsync(ids[0], c[1], c[2], c[0]);
            await TagAsync(ids[1], s[1], s[2], s[0]);
        });

        Assert.Equal([sigma[0], sigma[2]], TopicsOf(ids[1]));
        Assert.Equal([caron[2], caron[0]], TopicsOf(ids[0]));
    }

    // REVIEW12 R12-7: delivered rows keep the names as delivered; their keys were filled with
    // cms_category_key(name) without the cleaning the request's key has (TopicNames.Normalize), so a
    // name delivered with a no-break space was found by no spelling. DeliveredTopicKeysCleaned
    // recomputes such keys from the cleaned names.
    [Fact]
    public async Task A_topic_delivered_with_a_no_break_space_is_found_by_its_own_spelling()
    {
        var tag = Unique.Tag();
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        var delivered = $"Broken\u00A0links  {tag}";
        await app.AtMigrationAsync(ApplicationFixture.BeforeComputedTopicKeys, () => app.OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, '{}', '', '')
            """, id, new[] { delivered }));

        Assert.Equal([TopicNames.Normalize(delivered)], app.Read(db => db.PublishedItems.Single(p => p.ItemId == id).TopicKeys));
        foreach (var asked in new[] { delivered, $"broken links {tag}" })
        {
            var found = await app.RunAsync(s => s.GetRequiredService<PublishedQuery>().NewestAsync(null, asked, null, 10, CancellationToken.None));
            Assert.Equal([id], found.Select(e => e.Id));
        }
    }
}

// REVIEW12 R12-4: TopicsOneRegardlessOfCase.Down (landed) rebuilds the old key with PostgreSQL's
// lower(), which joins topics the new key keeps apart ("İzmir" and "Izmir"): taking the database
// back past it then fails on the old unique index, and the database stays migrated (README,
// migrations: rename one of such topics before going back). A class of its own: its database is
// left as no other test's.
public sealed class TopicCaseMigrationDownTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task Taking_the_database_back_past_the_topic_case_migration_with_topics_only_the_new_key_keeps_apart_is_refused_and_loses_no_topic()
    {
        var tag = Unique.Tag();
        string[] names = [$"\u0130zmir {tag}", $"Izmir {tag}"];
        await app.OwnerAsync("INSERT INTO topics (name, from_import, created_at) VALUES ($1, true, now()), ($2, true, now())", names[0], names[1]);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => app.MigrateAsync(ApplicationFixture.BeforeComputedTopicKeys));
        Assert.Equal(Npgsql.PostgresErrorCodes.UniqueViolation, (refused as Npgsql.PostgresException ?? refused.InnerException as Npgsql.PostgresException)?.SqlState);

        await app.MigrateAsync();
        Assert.Equal(names.Order(StringComparer.Ordinal), app.Read(db => db.Topics.Where(t => t.Name.EndsWith(tag)).Select(t => t.Name).ToList()).Order(StringComparer.Ordinal));
    }

    // REVIEW13: ReadyItemsBackAfterNameMerges (ReadyAfterNameMergeSql.SendBack) on odd data, run as
    // the migration runs it (the schema owner, one statement list), the merge events seeded as the
    // name migrations wrote them.
    private Task MergeEventAsync(long item, string action, string at, string actor = LookAlikeTopicsSql.Actor) => app.OwnerAsync(
        "INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload) VALUES ($1::timestamptz, NULL, $2, $3, 'item', $4, NULL, NULL, '{}')",
        at, actor, action, item.ToString());

    private Task StateAsync(long item, string state, string readyAt, string? publishAt = null) => app.OwnerAsync(
        "UPDATE items SET state = $2, ready_by = 'someone', ready_by_name = 'someone@example.com', ready_at = $3::timestamptz, publish_at = $4::timestamptz, publish_scheduled_by = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'someone' END, publish_scheduled_by_name = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'someone@example.com' END WHERE id = $1",
        item, state, readyAt, (object?)publishAt ?? DBNull.Value);

    private int EditedEvents(long item) => app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.ItemEdited && e.EntityId == item.ToString()));

    [Fact]
    public async Task Only_Ready_items_merged_after_they_were_marked_ready_go_back_once_each_and_an_open_form_gets_a_conflict()
    {
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml());
        var (before, twice, published, scheduled, byPerson) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        // Merged, then made Ready: reviewed with the merged spelling.
        await StateAsync(before, "Ready", "2026-12-07T10:00:00Z");
        await MergeEventAsync(before, AuditActions.ItemTopicsMerged, "2026-12-07T09:00:00Z");
        // Ready, then merged twice (topics and category).
        await StateAsync(twice, "Ready", "2026-12-07T08:00:00Z");
        await MergeEventAsync(twice, AuditActions.ItemTopicsMerged, "2026-12-07T09:00:00Z");
        await MergeEventAsync(twice, AuditActions.ItemCategoryMerged, "2026-12-07T09:00:01Z");
        // Published after being Ready, merged since: what is published stays as it is.
        await StateAsync(published, "Published", "2026-12-07T08:00:00Z");
        await MergeEventAsync(published, AuditActions.ItemTopicsMerged, "2026-12-07T09:00:00Z");
        // Ready with a schedule, merged since, and an editor holding its form open.
        await StateAsync(scheduled, "Ready", "2026-12-07T08:00:00Z", "2031-01-01T08:00:00Z");
        await MergeEventAsync(scheduled, AuditActions.ItemCategoryMerged, "2026-12-07T09:00:00Z");
        var formVersion = app.Read(db => db.Items.Single(i => i.Id == scheduled).Version);
        // A person's merge already sent its items back itself.
        await StateAsync(byPerson, "Ready", "2026-12-07T08:00:00Z");
        await MergeEventAsync(byPerson, AuditActions.ItemTopicsMerged, "2026-12-07T09:00:00Z", "editor@example.com");

        await app.OwnerAsync(ReadyAfterNameMergeSql.SendBack);
        await app.OwnerAsync(ReadyAfterNameMergeSql.SendBack);

        var states = app.Read(db => ids.Select(id => db.Items.Where(i => i.Id == id).Select(i => new { i.State, i.PublishAt, i.ReadyAt }).Single()).ToList());
        Assert.Equal([WorkflowState.Ready, WorkflowState.New, WorkflowState.Published, WorkflowState.New, WorkflowState.Ready], states.Select(s => s.State));
        Assert.Null(states[3].PublishAt);
        Assert.Equal([0, 1, 0, 1, 0], ids.Select(EditedEvents));

        var save = new SaveItemEdits.Command(scheduled, formVersion, 55, null, [], [], null);
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), save, CancellationToken.None));
        Assert.Equal(Cms.Application.OutcomeStatus.Conflict, saved.Status);
    }

    // DeliveredTopicKeysCleaned (DeliveredTopicKeySql.Recompute): delivered names with odd white
    // space and case get the key a request computes (TopicNames.Normalize) whatever their blanks.
    [Theory]
    [InlineData("Broken\u00A0links")]
    [InlineData(" Sport\u3000\u3000NEWS ")]
    [InlineData("\u2003ΟΔΟΣ\u205F")]
    [InlineData("\u00A0\u01C4ebate\u2009")]
    [InlineData("Rail\u202F \u00A0news")]
    [InlineData("Tab\tnews ")]
    [InlineData("Line\u2028news ")]
    [InlineData("Next\u0085line ")]
    public async Task A_delivered_topic_with_odd_blanks_gets_the_key_a_request_computes(string name)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var delivered = name + " " + tag;
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        await app.OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, topic_keys, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, ARRAY(SELECT cms_category_key(t) FROM unnest($2::text[]) AS t), '{}', '', '')
            """, id, new[] { delivered });

        await app.OwnerAsync(DeliveredTopicKeySql.Recompute);

        Assert.Equal([Cms.Core.Items.TopicNames.Normalize(delivered)], app.Read(db => db.PublishedItems.Single(p => p.ItemId == id).TopicKeys));
    }
}
