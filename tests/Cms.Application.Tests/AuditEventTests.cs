using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Application.Topics;
using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// Every kind of change writes exactly its events (nothing more, nothing missing), found as the
// events appended after the change; a change that fails validation writes none. One database per
// class, tests run one after another, so "after" means "by this change".
public sealed class AuditEventTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<List<(string Action, string? Target)>> EventsOfAsync(Func<Task> change)
    {
        var before = app.Read(db => db.AuditEvents.Max(e => (long?)e.Id) ?? 0);
        await change();
        return app.Read(db => db.AuditEvents.Where(e => e.Id > before).OrderBy(e => e.Id).Select(e => new { e.Action, e.EntityId }).ToList())
            .Select(e => (e.Action, e.EntityId)).ToList();
    }

    private Task<T> Run<T>(Func<IServiceProvider, Task<T>> work) => app.RunAsync(work);

    private Task ImportAsync(TestItem item) => Run(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline,
        [ImportSources.FromBytes($"{Unique.Tag()}.txt", System.Text.Encoding.UTF8.GetBytes(item.ToYaml()))], null, CancellationToken.None));

    [Fact]
    public async Task Imports_write_created_updated_and_revision_events_and_a_published_import_says_so()
    {
        var topic = "Imported topic " + Unique.Tag();
        var story = new TestItem { Topics = [topic] };
        var published = new TestItem { Published = true };
        var files = new[] { story, published }.Select((t, i) => ImportSources.FromBytes($"{Unique.Tag()}_{i}.txt", System.Text.Encoding.UTF8.GetBytes(t.ToYaml()))).ToList();

        var created = await EventsOfAsync(() => Run(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None)));

        var ids = app.Read(db => new[] { story, published }.Select(t => db.Items.Single(i => i.OriginalUrl == t.OriginalUrl).Id.ToString()).ToList());
        Assert.Equal(3, created.Count);
        Assert.Equal(AuditActions.TopicCreated, created[0].Action);
        Assert.Equal([(AuditActions.ItemImported, ids[0]), (AuditActions.ItemImported, ids[1])], created.Skip(1).OrderBy(e => e.Target == ids[1]));
        Assert.Contains("\"state\":\"Published\"", app.Read(db => db.AuditEvents.Single(e => e.Action == AuditActions.ItemImported && e.EntityId == ids[1]).Data));

        var changed = story with { Title = story.Title + " (corrected)" };
        var updated = await EventsOfAsync(() => ImportAsync(changed));
        Assert.Equal([(AuditActions.ItemSourceUpdated, ids[0])], updated);

        await Run(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(long.Parse(ids[0]), WorkflowAction.Reject, "dup"), CancellationToken.None));
        var revision = await EventsOfAsync(() => ImportAsync(changed with { Title = story.Title + " (again)" }));
        Assert.Equal([(AuditActions.ItemRevisionReceived, ids[0])], revision);
    }

    [Fact]
    public async Task An_edit_writes_one_event_with_each_field_and_link_decision_and_a_failed_validation_writes_none()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10, RelatedCount = 2 }.ToYaml()))[0];
        var item = app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));
        var links = app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => l.Id).ToList());
        var save = (int quality) => Run(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(),
            new SaveItemEdits.Command(id, item.Version, quality, null, [], [new(links[0], LinkDecision.Rejected, "paywalled")], "checked"), CancellationToken.None));

        var invalid = await EventsOfAsync(() => save(101));
        var edited = await EventsOfAsync(() => save(60));

        Assert.Empty(invalid);
        Assert.Equal([(AuditActions.ItemEdited, id.ToString())], edited);
        var data = app.Read(db => db.AuditEvents.Single(e => e.Action == AuditActions.ItemEdited && e.EntityId == id.ToString()).Data)!;
        Assert.Contains("\"field\":\"quality\",\"before\":10,\"after\":60", data);
        // The link by its URL and title, never by its position.
        var first = app.Read(db => db.RelatedLinks.Single(l => l.Id == links[0]));
        Assert.Contains($"\"field\":\"related\",\"url\":\"{first.Url}\",\"title\":\"{first.Title}\",\"before\":\"Pending\",\"after\":\"Rejected\",\"what\":null,\"reason\":\"paywalled\"", data);
        Assert.DoesNotContain("related[", data);
        Assert.Contains("\"note\":\"checked\"", data);
    }

    [Fact]
    public async Task Transitions_refusals_and_publish_output_each_write_their_event()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml()))[0];
        var target = id.ToString();
        var move = (Actor actor, WorkflowAction action) => Run(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new(id, action, null), CancellationToken.None));

        Assert.Equal([(AuditActions.ItemStateChanged, target)], await EventsOfAsync(() => move(Actors.Editor(), WorkflowAction.MarkReady)));
        Assert.Equal([(AuditActions.ItemTransitionRefused, target)], await EventsOfAsync(() => move(Actors.Editor(), WorkflowAction.MarkReady)));
        Assert.Equal([(AuditActions.AuthorizationRefused, target)], await EventsOfAsync(() => move(Actors.Editor(), WorkflowAction.Publish)));
        Assert.Empty(await EventsOfAsync(() => move(Actors.Publisher(), WorkflowAction.SendBack)));
        // Publishing records the delivered version in the same transaction (Delivery).
        Assert.Equal([(AuditActions.ItemStateChanged, target), (AuditActions.DeliveryVersionRecorded, target)],
            await EventsOfAsync(() => move(Actors.Publisher(), WorkflowAction.Publish)));
        Assert.Equal([(AuditActions.PublishOutputWritten, target)],
            await EventsOfAsync(() => Run(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None))));
    }

    [Fact]
    public async Task Topic_and_user_administration_write_one_event_per_change()
    {
        var name = "Admin topic " + Unique.Tag();
        var topics = (Func<TopicAdministration, Task<Outcome>> f) => Run(s => f(s.GetRequiredService<TopicAdministration>()));
        Assert.Equal(AuditActions.TopicCreated, (await EventsOfAsync(() => topics(t => t.CreateAsync(Actors.Publisher(), name, CancellationToken.None)))).Single().Action);
        var id = app.Read(db => db.Topics.Single(t => t.Name == name).Id);
        Assert.Equal([(AuditActions.TopicRenamed, id.ToString())], await EventsOfAsync(() => topics(t => t.RenameAsync(Actors.Publisher(), id, name + " renamed", CancellationToken.None))));
        await topics(t => t.CreateAsync(Actors.Publisher(), name + " other", CancellationToken.None));
        var other = app.Read(db => db.Topics.Single(t => t.Name == name + " other").Id);
        Assert.Equal(AuditActions.TopicMerged, (await EventsOfAsync(() => topics(t => t.MergeAsync(Actors.Publisher(), other, id, CancellationToken.None)))).Single().Action);
        Assert.Empty(await EventsOfAsync(() => topics(t => t.CreateAsync(Actors.Publisher(), " ", CancellationToken.None))));

        var email = $"user-{Unique.Tag()}@example.com";
        var users = (Func<UserAdministration, Task> f) => Run(async s => { await f(s.GetRequiredService<UserAdministration>()); return 0; });
        Assert.Equal(AuditActions.UserCreated, (await EventsOfAsync(() => users(u => u.ProvisionAsync(Actors.Admin(), email, null, Roles.Editor, CancellationToken.None)))).Single().Action);
        var userId = app.Read(db => db.Users.Single(u => u.Email == email).Id);
        Assert.Equal([(AuditActions.UserRoleChanged, userId)], await EventsOfAsync(() => users(u => u.SetRolesAsync(Actors.Admin(), userId, [Roles.Publisher], CancellationToken.None))));
        Assert.Empty(await EventsOfAsync(() => users(u => u.ProvisionAsync(Actors.Admin(), "not-an-email", "short", Roles.Editor, CancellationToken.None))));
    }

    // The audit page's actor filter (ILIKE '%…%', any part of the name) is answered from the
    // trigram index, not by walking the whole trail (EXPLAIN before/after in docs/benchmarks.md).
    [Fact]
    public async Task The_actor_filter_is_served_by_the_trigram_index()
    {
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // Only a bitmap scan is left to the planner: one the trigram index can serve, or none.
        await using (var off = new Npgsql.NpgsqlCommand("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off", conn, tx))
        {
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = new Npgsql.NpgsqlCommand(@"EXPLAIN SELECT count(*) FROM audit_events WHERE actor ILIKE '%kowalska%' ESCAPE '\'", conn, tx);
        var plan = new System.Text.StringBuilder();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.AppendLine(reader.GetString(0));
            }
        }

        Assert.Contains("Bitmap Index Scan on ix_audit_events_actor_trigram", plan.ToString());
    }
}
