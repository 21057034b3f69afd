using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class TransitionTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<long> ItemAsync(WorkflowState state, string? readyBy = "someone-else", int related = 0)
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = related }.ToYaml()))[0];
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Items.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.State, state).SetProperty(i => i.ReadyBy, state == WorkflowState.Ready ? readyBy : null)));
        return id;
    }

    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action, string? reason = "a reason") =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new ItemTransitions.Request(id, action, reason), CancellationToken.None));

    private int Events(long id, string action) => app.Read(db => db.AuditEvents.Count(a => a.Action == action && a.EntityId == id.ToString()));

    private Item Stored(long id) => app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));

    [Fact]
    public async Task A_move_changes_the_state_records_who_marked_ready_and_audits_the_before_and_after()
    {
        var id = await ItemAsync(WorkflowState.New);

        var outcome = await MoveAsync(Actors.Editor("marker@example.com"), id, WorkflowAction.MarkReady, reason: null);

        Assert.True(outcome.Succeeded, outcome.Message);
        var item = Stored(id);
        Assert.Equal(WorkflowState.Ready, item.State);
        Assert.Equal("id-marker@example.com", item.ReadyBy);
        var audit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString()));
        Assert.Contains("\"before\":\"New\",\"after\":\"Ready\"", audit.Data);
        Assert.Equal("id-marker@example.com", audit.ActorId);
    }

    [Fact]
    public async Task A_forbidden_move_changes_nothing_and_is_audited_as_refused()
    {
        var published = await ItemAsync(WorkflowState.Published);
        var rejected = await ItemAsync(WorkflowState.Rejected);

        var wrongState = await MoveAsync(Actors.Publisher(), published, WorkflowAction.MarkReady);
        var noPermission = await MoveAsync(Actors.Editor(), rejected, WorkflowAction.Reopen);

        Assert.Equal(OutcomeStatus.Invalid, wrongState.Status);
        Assert.Equal(OutcomeStatus.Forbidden, noPermission.Status);
        Assert.Equal(WorkflowState.Published, Stored(published).State);
        Assert.Equal(WorkflowState.Rejected, Stored(rejected).State);
        Assert.Equal(1, Events(published, AuditActions.ItemTransitionRefused));
        Assert.Equal(1, Events(rejected, AuditActions.AuthorizationRefused));
        Assert.Equal(0, Events(published, AuditActions.ItemStateChanged) + Events(rejected, AuditActions.ItemStateChanged));
    }

    [Fact]
    public async Task A_move_that_needs_a_reason_is_invalid_without_one_and_writes_nothing()
    {
        var id = await ItemAsync(WorkflowState.Ready);

        var outcome = await MoveAsync(Actors.Editor(), id, WorkflowAction.SendBack, reason: "   ");

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Equal("Reason", outcome.Errors.Single().Field);
        Assert.Equal(WorkflowState.Ready, Stored(id).State);
        Assert.Equal(0, app.Read(db => db.AuditEvents.Count(a => a.EntityId == id.ToString() && a.Action != AuditActions.ItemImported)));
    }

    [Fact]
    public async Task Mark_ready_is_refused_while_a_related_link_is_pending()
    {
        var id = await ItemAsync(WorkflowState.New, related: 2);

        var outcome = await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady);

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Contains("related link", outcome.Message);
        Assert.Equal(WorkflowState.New, Stored(id).State);
        Assert.Equal(1, Events(id, AuditActions.ItemTransitionRefused));
    }

    [Fact]
    public async Task Publish_by_the_editor_who_marked_ready_is_refused_and_another_publisher_may()
    {
        var id = await ItemAsync(WorkflowState.New);
        var marker = Actors.Publisher("marker-publisher@example.com");
        await MoveAsync(marker, id, WorkflowAction.MarkReady, null);

        var own = await MoveAsync(marker, id, WorkflowAction.Publish, null);
        var other = await MoveAsync(Actors.Publisher("second@example.com"), id, WorkflowAction.Publish, null);

        Assert.Equal(OutcomeStatus.Forbidden, own.Status);
        Assert.Contains("Four-eyes", own.Message);
        Assert.True(other.Succeeded, other.Message);
        Assert.Equal(WorkflowState.Published, Stored(id).State);
        Assert.Equal(1, Events(id, AuditActions.ItemTransitionRefused));
    }

    [Fact]
    public async Task Publishing_commits_an_outbox_row_with_the_state_change_and_withdrawing_another()
    {
        var id = await ItemAsync(WorkflowState.Ready);

        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish, null);
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Withdraw, "legal asked");

        var jobs = app.Read(db => db.PublishJobs.Where(j => j.ItemId == id).OrderBy(j => j.Id).ToList());
        Assert.Equal([WorkflowAction.Publish, WorkflowAction.Withdraw], jobs.Select(j => j.Trigger));
        Assert.All(jobs, j => Assert.Equal(PublishJobStatus.Pending, j.Status));
        Assert.Equal(Stored(id).FileName, Stored(id).OutputFile);
    }

    [Fact]
    public async Task Two_items_with_the_same_source_file_name_publish_under_different_names()
    {
        var first = await ItemAsync(WorkflowState.Ready);
        var second = await ItemAsync(WorkflowState.Ready);
        var name = Stored(first).FileName;
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Items.Where(i => i.Id == second)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.FileName, name)));

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>()
            .HandleManyAsync(Actors.Publisher(), [first, second], WorkflowAction.Publish, null, CancellationToken.None));

        Assert.Equal("Publish: 2 published.", outcome.Message);
        Assert.Equal(name, Stored(first).OutputFile);
        Assert.Equal($"{second}_{name}", Stored(second).OutputFile);
    }

    [Fact]
    public async Task A_bulk_move_reports_each_item_and_audits_refusals_in_the_same_transaction()
    {
        var mine = Actors.Publisher("bulk-publisher@example.com");
        var ready = await ItemAsync(WorkflowState.Ready);
        var markedByMe = await ItemAsync(WorkflowState.Ready, readyBy: mine.UserId);
        var fresh = await ItemAsync(WorkflowState.New);

        var outcome = await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(mine, new BulkEdit.Command([ready, markedByMe, fresh], nameof(WorkflowAction.Publish), null), CancellationToken.None));

        Assert.StartsWith("Publish: 1 published, 2 refused: 1 four-eyes, 1 not Ready. Refused: ", outcome.Message);
        // Each refused item is named with its own reason.
        Assert.Contains($"#{markedByMe} ", outcome.Message);
        Assert.Contains("Four-eyes rule", outcome.Message);
        Assert.Contains($"#{fresh} ", outcome.Message);
        Assert.Contains("Publish applies to Ready items; this one is New.", outcome.Message);
        Assert.DoesNotContain($"#{ready} ", outcome.Message);
        Assert.Equal(WorkflowState.Published, Stored(ready).State);
        Assert.Equal(WorkflowState.Ready, Stored(markedByMe).State);
        Assert.Equal(WorkflowState.New, Stored(fresh).State);
        Assert.Equal(1, Events(markedByMe, AuditActions.ItemTransitionRefused));
        Assert.Equal(1, Events(fresh, AuditActions.ItemTransitionRefused));
    }

    [Fact]
    public async Task An_editor_cannot_bulk_publish_and_the_refusal_is_audited()
    {
        var id = await ItemAsync(WorkflowState.Ready);
        var before = app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "bulk-editor@example.com"));

        var outcome = await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Editor("bulk-editor@example.com"), new BulkEdit.Command([id], nameof(WorkflowAction.Publish), null), CancellationToken.None));

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Status);
        Assert.Equal(WorkflowState.Ready, Stored(id).State);
        Assert.Equal(before + 1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "bulk-editor@example.com")));
    }

    [Fact]
    public async Task Editing_a_ready_items_quality_returns_it_to_new_and_drops_its_schedule()
    {
        var id = await ItemAsync(WorkflowState.Ready);
        await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None));
        var item = Stored(id);

        var outcome = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(),
            new SaveItemEdits.Command(id, item.Version, 77, item.Category, [], [], null), CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Message);
        var after = Stored(id);
        Assert.Equal(WorkflowState.New, after.State);
        Assert.Null(after.ReadyBy);
        Assert.Null(after.PublishAt);
        var edit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemEdited && a.EntityId == id.ToString()));
        Assert.Contains("\"field\":\"state\",\"before\":\"Ready\",\"after\":\"New\"", edit.Data);
    }

    [Fact]
    public async Task A_note_alone_on_a_ready_item_keeps_it_ready()
    {
        var id = await ItemAsync(WorkflowState.Ready);
        var item = Stored(id);

        await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(),
            new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, [], [], "looked again"), CancellationToken.None));

        Assert.Equal(WorkflowState.Ready, Stored(id).State);
    }

    [Fact]
    public async Task A_bulk_topic_added_to_a_ready_item_returns_it_to_new()
    {
        var id = await ItemAsync(WorkflowState.Ready);
        var topic = "Bulk topic " + Unique.Tag();

        await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Publisher(), new BulkEdit.Command([id], BulkEdit.AddTopic, topic), CancellationToken.None));

        Assert.Equal(WorkflowState.New, Stored(id).State);
    }
}
