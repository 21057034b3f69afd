using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Workflow;

public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }
}

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
        Assert.True(await Eventually.TrueAsync(() => File.Exists(file), TimeSpan.FromSeconds(15)), "the worker wrote the file");
        Assert.True(await Eventually.TrueAsync(() => Factory.WithDb(db => db.PublishJobs.Single(j => j.ItemId == id).Status == PublishJobStatus.Done), TimeSpan.FromSeconds(5)));
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.Contains("written at", Html.Parse(page).One("#output-status").TextContent);
    }

    [Fact]
    public async Task A_scheduled_item_shows_in_the_queue_and_is_published_by_the_worker_when_due_and_not_before()
    {
        var id = await ReadyAsync();
        var publisher = await SignedInAsync(Roles.Publisher);
        // Whole seconds, as the form sends them.
        var due = DateTime.UtcNow.AddSeconds(8);
        due = new DateTime(due.Ticks - due.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");

        var scheduled = await publisher.PostAsync($"/Items/Details/{id}?handler=Schedule", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.PublishAt"] = due.ToString("yyyy-MM-ddTHH:mm:ss"),
        }));

        Assert.Equal(HttpStatusCode.Redirect, scheduled.StatusCode);
        Assert.Contains("publishes " + due.ToString("yyyy-MM-dd HH:mm"), await publisher.GetStringAsync("/"));
        var early = due - DateTime.UtcNow - TimeSpan.FromSeconds(1);
        Assert.True(early > TimeSpan.Zero, "the test got to look before the item was due");
        await Task.Delay(early);
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
        Assert.True(await Eventually.TrueAsync(() => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State) == WorkflowState.Published, TimeSpan.FromSeconds(15)));
        var publishedAt = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString() && a.Actor == "system:worker").At);
        Assert.True(publishedAt >= due, $"published at {publishedAt:O}, due {due:O}");
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

        Assert.True(await Eventually.TrueAsync(() => Factory.WithDb(db => db.AuditEvents.Any(a => a.Action == AuditActions.PublishOutputFailed && a.EntityId == id.ToString())), TimeSpan.FromSeconds(15)));
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.Contains("failed (attempt 1)", page);
        Assert.Contains("Output failed", page);
    }
}
