using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Migrations.Sql;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW13: ReadyItemsBackAfterNameMerges (ReadyAfterNameMergeSql.SendBack) on odd data, run as
// the migration runs it (the schema owner, one statement list), the merge events seeded as the
// name migrations wrote them.
public sealed class Review13MigrationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
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
