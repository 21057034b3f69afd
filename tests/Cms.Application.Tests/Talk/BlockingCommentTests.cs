using Cms.Application.Comments;
using Cms.Application.Items;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Talk;

// An unresolved blocking thread stops Mark ready and Publish at every entry point the application
// has (one move, a bulk move, scheduling, the scheduler's own publish), naming the reason.
public sealed class BlockingCommentTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<long> ReadyItemAsync()
    {
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        await app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Items.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.State, WorkflowState.Ready).SetProperty(i => i.ReadyBy, "someone-else")));
        return id;
    }

    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new(id, action, null), CancellationToken.None));

    private async Task<long> BlockAsync(Actor author, long item)
    {
        var added = await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(author, new(item, "Check the source first", Blocking: true), CancellationToken.None));
        Assert.True(added.Succeeded, added.Result.Message);
        return added.Value;
    }

    private WorkflowState State(long id) => app.Read(db => db.Items.Single(i => i.Id == id).State);

    [Fact]
    public async Task Publish_is_refused_until_the_blocking_thread_is_resolved()
    {
        var item = await ReadyItemAsync();
        var editor = await People.CreateAsync(app, Roles.Editor);
        var publisher = await People.CreateAsync(app, Roles.Publisher);
        var thread = await BlockAsync(editor, item);

        var refused = await MoveAsync(publisher, item, WorkflowAction.Publish);
        var bulk = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleManyAsync(publisher, [item], WorkflowAction.Publish, null, CancellationToken.None));
        var scheduled = await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(publisher, item, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
        var stateWhileBlocked = State(item);
        await app.RunAsync(s => s.GetRequiredService<ItemComments>().ResolveAsync(publisher, thread, resolved: true, CancellationToken.None));
        var published = await MoveAsync(publisher, item, WorkflowAction.Publish);

        Assert.Equal(OutcomeStatus.Invalid, refused.Status);
        Assert.Contains("blocking comment is unresolved", refused.Message);
        Assert.Contains("1 refused: blocking comment unresolved", bulk.Message);
        Assert.Contains("blocking comment is unresolved", scheduled.Message);
        Assert.Equal(WorkflowState.Ready, stateWhileBlocked);
        Assert.True(published.Succeeded, published.Message);
        Assert.Equal(WorkflowState.Published, State(item));
    }

    [Fact]
    public async Task Mark_ready_is_refused_while_blocked_and_a_deleted_or_replied_thread_counts_right()
    {
        var item = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        var editor = await People.CreateAsync(app, Roles.Editor);
        var thread = await BlockAsync(editor, item);
        await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(editor, new(item, "a plain reply", ReplyTo: thread), CancellationToken.None));

        var refused = await MoveAsync(editor, item, WorkflowAction.MarkReady);
        await app.RunAsync(s => s.GetRequiredService<ItemComments>().DeleteAsync(editor, thread, CancellationToken.None));
        var allowed = await MoveAsync(editor, item, WorkflowAction.MarkReady);

        Assert.Contains("resolve it before mark ready", refused.Message);
        Assert.True(allowed.Succeeded, allowed.Message);
    }

    [Fact]
    public async Task The_scheduler_does_not_publish_an_item_blocked_after_it_was_scheduled()
    {
        var item = await ReadyItemAsync();
        var editor = await People.CreateAsync(app, Roles.Editor);
        var publisher = await People.CreateAsync(app, Roles.Publisher);
        var scheduled = await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(publisher, item, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
        Assert.True(scheduled.Succeeded, scheduled.Message);
        await BlockAsync(editor, item);
        await app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Items.Where(i => i.Id == item)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().PublishDueAsync(Publishing.PublishWorker.Actor, CancellationToken.None));

        Assert.Equal(WorkflowState.Ready, State(item));
        Assert.Contains("blocking", app.Read(db => db.AuditEvents.Where(a => a.EntityId == item.ToString() && a.Action == Core.Auditing.AuditActions.ItemTransitionRefused)
            .OrderByDescending(a => a.Id).First().Payload));
    }
}
