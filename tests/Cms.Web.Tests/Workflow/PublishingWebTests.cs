using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Cms.Application.Publishing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Workflow;

// The app's own hosted worker drains the outbox: no test calls it.
public sealed class PublishingWebTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<long> ReadyAsync()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        await Moves.PostAsync(await SignedInAsync(Roles.Editor), id, WorkflowAction.MarkReady);
        return id;
    }

    [Fact]
    public async Task The_hosted_worker_writes_a_published_item_and_the_item_page_shows_when()
    {
        var id = await ReadyAsync();
        var publisher = await SignedInAsync(Roles.Publisher);

        await Moves.PostAsync(publisher, id, WorkflowAction.Publish);

        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).FileName));
        await Eventually.HappensAsync(() => File.Exists(file), "the worker writing the file");
        await Eventually.HappensAsync(() => Factory.WithDb(db => db.PublishJobs.Single(j => j.ItemId == id).Status == PublishJobStatus.Done), "the job being done");
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.Contains("written at", Html.Parse(page).One("#output-status").TextContent);
    }

    [Fact]
    public async Task The_schedule_is_typed_as_iso_utc_text_and_a_locale_date_is_refused_naming_the_format()
    {
        var id = await ReadyAsync();
        var publisher = await SignedInAsync(Roles.Publisher);
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        var field = Html.Parse(page).One("#publish-at");
        Task<HttpResponseMessage> ScheduleAsync(string at) => publisher.PostAsync($"/Items/Details/{id}?handler=Schedule", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.PublishAt"] = at,
        }));

        var local = await ScheduleAsync("12/24/2030 08:30");
        var iso = await ScheduleAsync("2030-12-24 08:30");

        // A text field, not a date picker that shows the browser's locale (mm/dd/yyyy).
        Assert.Equal(("text", "yyyy-mm-dd hh:mm"), (field.GetAttribute("type"), field.GetAttribute("placeholder")));
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Contains("as yyyy-mm-dd hh:mm (UTC)", await local.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, iso.StatusCode);
        Assert.Equal(new DateTimeOffset(2030, 12, 24, 8, 30, 0, TimeSpan.Zero), Factory.WithDb(db => db.Items.Single(i => i.Id == id).PublishAt));
    }

    [Fact]
    public async Task A_scheduled_item_shows_in_the_queue_and_is_published_by_the_worker_when_due_and_not_before()
    {
        var id = await ReadyAsync();
        var publisher = await SignedInAsync(Roles.Publisher);
        // Whole seconds, as the form sends them; a day ahead, so no test waits for it.
        var due = DateTime.UtcNow.AddDays(1);
        due = new DateTime(due.Ticks - due.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");

        var scheduled = await publisher.PostAsync($"/Items/Details/{id}?handler=Schedule", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.PublishAt"] = due.ToString("yyyy-MM-ddTHH:mm:ss"),
        }));

        Assert.Equal(HttpStatusCode.Redirect, scheduled.StatusCode);
        Assert.Contains("publishes " + due.ToString("yyyy-MM-dd HH:mm"), await publisher.GetStringAsync("/"));
        // A round of the worker's loop (as the hosted one runs it) leaves an item that is not due.
        await Factory.Services.GetRequiredService<PublishingLoop>().RoundAsync(CancellationToken.None);
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));

        // The day passes: the schedule's time moves into the past instead of the test waiting for it,
        // and the hosted worker is woken as a new schedule would wake it.
        var passed = TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(s => s.SetProperty(i => i.PublishAt, i => i.PublishAt - passed)));
        using (var scope = Factory.Services.CreateScope())
        {
            await PublishSignal.NotifyAsync(scope.ServiceProvider.GetRequiredService<CmsDbContext>(), CancellationToken.None);
        }

        await Eventually.HappensAsync(() => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State) == WorkflowState.Published, "the hosted worker publishing the item when due");
        var publishedAt = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString() && a.Actor == "system:worker").At);
        Assert.True(publishedAt >= new DateTimeOffset(due) - passed, $"published at {publishedAt:O}, due {due - passed:O}");
    }
}

public sealed class BrokenPublishFolderFixture : AppFixture
{
    public static readonly string Blocker = Path.Combine(Path.GetTempPath(), "cms-blocker-" + Guid.NewGuid().ToString("N")[..8]);

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            File.WriteAllText(Blocker, "a file where the folder should be");
            return new Dictionary<string, string?> { ["Publishing:Folder"] = Path.Combine(Blocker, "out") };
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(Blocker);
    }
}

public sealed class PublishFailureWebTests(BrokenPublishFolderFixture app) : WebTest(app), IClassFixture<BrokenPublishFolderFixture>
{
    [Fact]
    public async Task A_failed_write_is_shown_on_the_item_page_and_in_the_audit()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        await Moves.PostAsync(await SignedInAsync(Roles.Editor), id, WorkflowAction.MarkReady);
        var publisher = await SignedInAsync(Roles.Publisher);

        await Moves.PostAsync(publisher, id, WorkflowAction.Publish);

        await Eventually.HappensAsync(() => Factory.WithDb(db => db.AuditEvents.Any(a => a.Action == AuditActions.PublishOutputFailed && a.EntityId == id.ToString())), "the worker's failed write being audited");
        // The worker retries after seconds; a busy machine may get there before the page is read.
        // Hold the job still (the update waits for an attempt in progress to commit) so the page
        // and the row agree on the attempt.
        var attempts = Factory.WithDb(db =>
        {
            db.PublishJobs.Where(j => j.ItemId == id).ExecuteUpdate(s => s.SetProperty(j => j.NextAttemptAt, DateTimeOffset.UtcNow.AddDays(1)));
            return db.PublishJobs.Single(j => j.ItemId == id).Attempts;
        });
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.InRange(attempts, 1, 10);
        Assert.Contains($"failed (attempt {attempts})", page);
        Assert.Contains("Output failed", page);
    }
}
