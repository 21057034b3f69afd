using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data.Entities;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// What the item page offers each role, read through the read model alone (no HTTP): the moves
// from the item's state that the role may make, each disabled with its reason when a rule stops it
// now; the schedule form under PublishSchedule's own rule; and what is offered is what the
// handlers then allow.
public sealed class ItemPageTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    private Task<ItemPage.View?> ShowAsync(Actor actor, long id) =>
        app.RunAsync(s => s.GetRequiredService<ItemPage>().LoadAsync(actor, id, new QueueView(), None));

    private async Task<ItemPage.WorkflowView> WorkflowAsync(Actor actor, long id) => (await ShowAsync(actor, id))!.Workflow;

    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action, string? reason = null) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new(id, action, reason), None));

    private static Dictionary<WorkflowAction, string?> Offered(ItemPage.WorkflowView workflow) =>
        workflow.Offered.ToDictionary(c => c.Transition.Action, c => c.Allowed ? null : c.Refusal.ToString());

    [Fact]
    public async Task A_new_item_with_an_undecided_link_offers_every_role_mark_ready_disabled_and_reject()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 1 }.ToYaml()))[0];

        foreach (var actor in new[] { Actors.Editor(), Actors.Publisher(), Actors.Admin() })
        {
            var workflow = await WorkflowAsync(actor, id);
            Assert.Equal(new Dictionary<WorkflowAction, string?>
            {
                [WorkflowAction.MarkReady] = nameof(Refusal.LinksUndecided),
                [WorkflowAction.Reject] = null,
            }, Offered(workflow));
            Assert.Contains("Decide every related link first (1 still pending)", workflow.Offered.Single(c => !c.Allowed).Message);
            Assert.Null(workflow.Schedule);
            Assert.False(workflow.CanCancelSchedule);
            Assert.False(workflow.EditReturnsToNew);
        }
    }

    [Fact]
    public async Task A_ready_item_offers_publishing_to_publishers_and_admins_but_not_to_whoever_marked_it_and_nothing_of_it_to_editors()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml()))[0];
        var marker = Actors.Publisher("marker@example.com");
        Assert.True((await MoveAsync(marker, id, WorkflowAction.MarkReady)).Succeeded);

        var editor = await WorkflowAsync(Actors.Editor(), id);
        var own = await WorkflowAsync(marker, id);
        var other = await WorkflowAsync(Actors.Publisher(), id);
        var admin = await WorkflowAsync(Actors.Admin(), id);

        // Editors: send back and reject; no publishing, no schedule.
        Assert.Equal(new Dictionary<WorkflowAction, string?> { [WorkflowAction.SendBack] = null, [WorkflowAction.Reject] = null }, Offered(editor));
        Assert.Null(editor.Schedule);
        Assert.True(editor.EditReturnsToNew);
        Assert.Equal("marker@example.com", editor.ReadyByName);
        // Four-eyes: the marker sees Publish and the schedule form, both disabled with the reason.
        Assert.Equal(nameof(Refusal.FourEyes), Offered(own)[WorkflowAction.Publish]);
        Assert.False(own.Schedule!.Allowed);
        Assert.StartsWith("Four-eyes rule", own.Schedule.Message);
        // Another publisher and an admin may publish and schedule.
        foreach (var workflow in new[] { other, admin })
        {
            Assert.Equal(new Dictionary<WorkflowAction, string?>
            {
                [WorkflowAction.SendBack] = null,
                [WorkflowAction.Reject] = null,
                [WorkflowAction.Publish] = null,
            }, Offered(workflow));
            Assert.True(workflow.Schedule!.Allowed);
        }

        // What was offered is what the handlers allow.
        Assert.Equal(OutcomeStatus.Forbidden, (await MoveAsync(marker, id, WorkflowAction.Publish)).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await app.RunAsync(s => s.GetRequiredService<PublishSchedule>()
            .ScheduleAsync(marker, id, DateTimeOffset.UtcNow.AddDays(1), None))).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await MoveAsync(Actors.Editor(), id, WorkflowAction.Publish)).Status);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>()
            .ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddDays(1), None))).Succeeded);

        // Scheduled: publishers may cancel, editors may not; nobody is offered a second schedule.
        var scheduledForEditor = await WorkflowAsync(Actors.Editor(), id);
        var scheduledForPublisher = await WorkflowAsync(Actors.Publisher(), id);
        Assert.False(scheduledForEditor.CanCancelSchedule);
        Assert.True(scheduledForPublisher.CanCancelSchedule);
        Assert.Null(scheduledForPublisher.Schedule);
        Assert.NotNull(scheduledForPublisher.PublishAt);

        Assert.True((await MoveAsync(Actors.Admin(), id, WorkflowAction.Publish)).Succeeded);
        var published = await WorkflowAsync(Actors.Admin(), id);
        // Whoever published it may correct it: publishing is not a change of its content.
        Assert.Equal(new Dictionary<WorkflowAction, string?> { [WorkflowAction.Withdraw] = null, [WorkflowAction.Correct] = null }, Offered(published));
        Assert.Empty((await WorkflowAsync(Actors.Editor(), id)).Offered);
        Assert.NotNull(published.OutputFile);
        Assert.Equal(PublishJobStatus.Pending, published.Output!.Status);
    }

    [Fact]
    public async Task The_page_holds_the_item_its_links_topics_history_and_no_more_of_the_source_than_it_shows()
    {
        var topic = "Page topic " + Unique.Tag();
        var item = new TestItem { RelatedCount = 2, Topics = [topic], ExtraYaml = [$"notes: \"{new string('n', ItemPage.SourceChars)}\""] };
        var id = (await app.ImportAsync(item.ToYaml()))[0];

        var shown = (await ShowAsync(Actors.Editor(), id))!;

        Assert.Equal(item.Title, shown.Item.Title);
        Assert.Equal(2, shown.Links.Count);
        Assert.Equal([topic], shown.Topics);
        Assert.Contains(topic, shown.Vocabulary);
        Assert.Equal(ItemPage.SourceChars, shown.Item.SourceYaml.Length);
        Assert.True(shown.Item.SourceLength > ItemPage.SourceChars);
        Assert.Null(shown.Secured);
        Assert.Equal("Imported", Assert.Single(shown.History).Label);
        Assert.Null(shown.Revision);
        Assert.Null(await ShowAsync(Actors.Editor(), id + 1_000_000));
    }
}
