using System.Net;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Cms.Web.Tests.Workflow;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

// Source revisions crossed with publishing: last round each passed alone and together published an
// unreviewed text. A source that changed after review blocks publish, schedule and correct in every
// entry point until someone accepts or dismisses the change.
public sealed class PendingRevisionTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private WorkflowState State(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State);

    private int Version(long id) => Factory.WithDb(db => db.PublishedItems.Where(p => p.ItemId == id).Select(p => p.Version).SingleOrDefault());

    // The pipeline sends a correction of the source: the item has been reviewed, so it waits as a revision.
    private async Task<long> RevisedAsync(TestItem story)
    {
        await ImportAsync(story with { Title = "CORRECTION: " + story.Title });
        var id = ItemId(story);
        Assert.True(Factory.WithDb(db => db.SourceRevisions.Any(r => r.ItemId == id && r.Status == RevisionStatus.Pending)), "the changed source waits as a revision");
        return id;
    }

    private async Task<long> ReadyWithRevisionAsync()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        Assert.True((await app.MoveAsync([ItemId(story)], WorkflowAction.MarkReady, DeliveryFixture.Editor)).Succeeded);
        return await RevisedAsync(story);
    }

    private async Task<long> PublishedWithRevisionAsync()
    {
        var story = new TestItem { RelatedCount = 0 };
        await app.PublishedAsync(story);
        return await RevisedAsync(story);
    }

    private int Refusals(long id) => Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemTransitionRefused
        && a.EntityId == id.ToString() && a.Payload.Contains(nameof(Refusal.PendingRevision))));

    [Fact]
    public async Task The_item_page_shows_why_and_refuses_publish_and_correct_on_a_direct_post()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var ready = await ReadyWithRevisionAsync();
        var live = await PublishedWithRevisionAsync();

        var page = await publisher.GetStringAsync($"/Items/Details/{ready}");
        Assert.Contains("id=\"do-Publish\" disabled=\"disabled\"", page);
        Assert.Contains("accept or dismiss the source&#x27;s change first", page);
        var publish = await Moves.PostAsync(publisher, ready, WorkflowAction.Publish);
        var correct = await Moves.PostAsync(publisher, live, WorkflowAction.Correct, "fix");

        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Contains("accept or dismiss the source&#x27;s change first", await publish.Content.ReadAsStringAsync());
        Assert.Contains("accept or dismiss the source&#x27;s change first", await correct.Content.ReadAsStringAsync());
        Assert.Equal(WorkflowState.Ready, State(ready));
        Assert.Equal(0, Version(ready));
        Assert.Equal(1, Version(live));
        Assert.Equal(1, Refusals(ready));
        Assert.Equal(1, Refusals(live));
    }

    [Fact]
    public async Task Bulk_publish_names_each_refused_item_and_its_reason_and_publishes_the_rest()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var revised = await ReadyWithRevisionAsync();
        var clean = new TestItem { RelatedCount = 0 };
        await ImportAsync(clean);
        await app.MoveAsync([ItemId(clean)], WorkflowAction.MarkReady, DeliveryFixture.Editor);
        var title = Factory.WithDb(db => db.Items.Single(i => i.Id == revised).Title);

        var queue = await publisher.GetStringAsync("/");
        var response = await publisher.PostAsync("/?handler=Bulk", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Http.AntiforgeryToken(queue)),
            new("Bulk.Action", nameof(WorkflowAction.Publish)),
            new("Bulk.Ids", revised.ToString()),
            new("Bulk.Ids", ItemId(clean).ToString()),
        ]));
        var message = System.Net.WebUtility.HtmlDecode(await publisher.GetStringAsync(response.Headers.Location!.OriginalString));

        Assert.Contains("Publish: 1 published, 1 refused: source revision pending.", message);
        Assert.Contains($"#{revised} “{title}”: {Core.Items.Workflow.PendingRevisionMessage}", message);
        Assert.Equal(WorkflowState.Ready, State(revised));
        Assert.Equal(WorkflowState.Published, State(ItemId(clean)));
    }

    [Fact]
    public async Task Scheduling_is_refused_and_a_schedule_made_before_the_revision_arrived_is_dropped_when_due()
    {
        var refusedNow = await ReadyWithRevisionAsync();
        var schedule = await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(DeliveryFixture.Publisher, refusedNow, app.Clock.GetUtcNow().AddHours(1), CancellationToken.None));
        Assert.Equal(OutcomeStatus.Invalid, schedule.Status);
        Assert.Equal(Core.Items.Workflow.PendingRevisionMessage, schedule.Message);
        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == refusedNow).PublishAt));

        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        await app.MoveAsync([id], WorkflowAction.MarkReady, DeliveryFixture.Editor);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(DeliveryFixture.Publisher, id, app.Clock.GetUtcNow().AddHours(1), CancellationToken.None))).Succeeded);
        await RevisedAsync(story);
        // Due now (the clock is moved by the test, not waited for).
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.PublishAt, app.Clock.GetUtcNow().AddMinutes(-1))));

        await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().PublishDueAsync(Actor.System("worker"), CancellationToken.None));

        Assert.Equal(WorkflowState.Ready, State(id));
        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == id).PublishAt));
        Assert.Equal(0, Version(id));
        Assert.Equal(1, Refusals(id));
    }

    [Fact]
    public async Task The_command_line_exits_non_zero_for_an_item_not_found_and_reads_schedule_times_only_in_iso_form()
    {
        var ready = await ReadyWithRevisionAsync();
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString };

        var missing = await Repo.RunCmsAsync(env, "items", "publish", "999999999");
        var localeDate = await Repo.RunCmsAsync(env, "items", "schedule", ready.ToString(), "--at", "01/02/2030 08:00");

        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("1 not found", missing.Output);
        Assert.Equal(2, localeDate.ExitCode);
        Assert.Contains("--at: not a UTC date and time", localeDate.Errors);
        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == ready).PublishAt));
    }

    [Fact]
    public async Task The_command_line_refuses_publish_and_correct_naming_the_item_and_publishes_once_the_revision_is_dismissed()
    {
        var ready = await ReadyWithRevisionAsync();
        var live = await PublishedWithRevisionAsync();
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString };

        var publish = await Repo.RunCmsAsync(env, "items", "publish", ready.ToString());
        var correct = await Repo.RunCmsAsync(env, "items", "correct", live.ToString(), "--reason", "typo");

        Assert.Equal(3, publish.ExitCode);
        Assert.Contains($"#{ready} ", publish.Output);
        Assert.Contains(Core.Items.Workflow.PendingRevisionMessage, publish.Output);
        Assert.Equal(3, correct.ExitCode);
        Assert.Contains(Core.Items.Workflow.PendingRevisionMessage, correct.Output);
        Assert.Equal(WorkflowState.Ready, State(ready));
        Assert.Equal(1, Version(live));

        var revision = Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == ready && r.Status == RevisionStatus.Pending).Id);
        var version = Factory.WithDb(db => db.Items.Single(i => i.Id == ready).Version);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().DismissAsync(DeliveryFixture.Editor, ready, revision, version, CancellationToken.None))).Succeeded);
        var again = await Repo.RunCmsAsync(env, "items", "publish", ready.ToString());
        Assert.True(again.ExitCode == 0, again.Output + again.Errors);
        Assert.Equal(WorkflowState.Published, State(ready));
        Assert.Equal(1, Version(ready));
    }

    [Fact]
    public async Task Accepting_a_revision_on_a_Published_item_keeps_the_published_version_and_offers_the_correction_to_another_publisher()
    {
        var live = await PublishedWithRevisionAsync();
        var revision = Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == live && r.Status == RevisionStatus.Pending).Id);
        var version = Factory.WithDb(db => db.Items.Single(i => i.Id == live).Version);

        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(DeliveryFixture.Editor, live, revision, version, null, CancellationToken.None));

        Assert.Equal(SourceRevisions.AcceptedOnPublished, accepted.Message);
        Assert.Equal(WorkflowState.Published, State(live));
        Assert.Equal(1, Version(live));
        var publisher = await SignedInAsync(Roles.Publisher);
        var page = await publisher.GetStringAsync($"/Items/Details/{live}");
        Assert.Contains("id=\"do-Correct\"", page);
        Assert.DoesNotContain("id=\"do-Correct\" disabled", page);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, live, WorkflowAction.Correct, "source corrected")).StatusCode);
        var document = Factory.WithDb(db => db.PublishedItems.Single(p => p.ItemId == live));
        Assert.Equal(2, document.Version);
        Assert.Contains("CORRECTION: ", document.Document);
    }
}
