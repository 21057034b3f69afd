using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// The worker's safety-net poll is two days here, so the time a round sleeps until is the next
// schedule's time itself.
public sealed class PublishingFixture : ApplicationFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Publishing:PollSeconds", "172800")];
}

public sealed class PublishingTests(PublishingFixture app) : IClassFixture<PublishingFixture>
{
    private readonly YamlFrontMatterReader _reader = new();

    public static string SamplePath { get; } = FindSample();

    private static string FindSample()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cms.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Cms.sln not found"), "samples", "000_6f095c37200f6da0.txt");
    }

    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action, string? reason = null) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new ItemTransitions.Request(id, action, reason), CancellationToken.None));

    private Task<int> DrainAsync() => app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test-worker", CancellationToken.None));

    private Item Stored(long id) => app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));

    // Time passing for a schedule without waiting for it: its time moves back by that much (the
    // worker compares the stored time with now), exactly as the clock moving forward would look.
    private void Elapse(long id, TimeSpan span) =>
        app.Read(db => db.Items.Where(i => i.Id == id && i.PublishAt != null).ExecuteUpdate(s => s.SetProperty(i => i.PublishAt, i => i.PublishAt - span)));

    // Marked ready by an editor, so a publisher may publish it.
    private async Task<long> ReadyAsync(TestItem? item = null)
    {
        var id = (await app.ImportAsync((item ?? new TestItem { RelatedCount = 0 }).ToYaml()))[0];
        Assert.True((await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Succeeded);
        return id;
    }

    [Fact]
    public async Task Publishing_the_real_sample_writes_only_the_approved_related_links_and_every_other_field_as_received()
    {
        var text = await File.ReadAllTextAsync(SamplePath);
        var id = (await app.ImportAsync(text))[0];
        var item = Stored(id);
        var links = app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.True(links.Count >= 2, "the sample has several related links");
        var decided = links.Select(l => new SaveItemEdits.LinkChange(l.Id, l.Position == 1 ? LinkDecision.Approved : LinkDecision.Rejected, null)).ToList();
        var topics = app.Read(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(),
            new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, topics, decided, null), CancellationToken.None));
        Assert.True(saved.Succeeded, saved.Message);
        Assert.True((await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Succeeded);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);

        Assert.Equal(1, await DrainAsync());

        var path = Path.Combine(app.PublishFolder, Stored(id).OutputFile!);
        Assert.Equal(Stored(id).FileName, Path.GetFileName(path));
        var written = await File.ReadAllTextAsync(path);
        var source = (SourceMapping)_reader.ReadText("source", text).Root;
        var related = (SourceSequence)source["related"]!;
        var expected = source.With("published", SourceScalar.Plain("true")).With("related", related with { Items = [related.Items[1]] });
        Assert.Equal(SourceNodes.Canonical(expected), SourceNodes.Canonical(_reader.ReadText("published", written).Root));
        var securedLine = text.Split('\n').Single(l => l.StartsWith("secured:", StringComparison.Ordinal));
        Assert.Contains(securedLine, written.Split('\n'));
        Assert.Empty(Directory.GetFiles(app.PublishFolder, ".*.tmp"));
        var job = app.Read(db => db.PublishJobs.Single(j => j.ItemId == id));
        Assert.Equal(PublishJobStatus.Done, job.Status);
        Assert.Equal("written", job.Result);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.PublishOutputWritten && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task Withdrawing_removes_the_published_file_and_publishing_again_writes_it_under_the_same_name()
    {
        var id = await ReadyAsync();
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await DrainAsync();
        var path = Path.Combine(app.PublishFolder, Stored(id).OutputFile!);
        Assert.True(File.Exists(path));
        Assert.Contains("published: true", await File.ReadAllTextAsync(path));

        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Withdraw, "wrong story")).Succeeded);
        await DrainAsync();

        Assert.False(File.Exists(path));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.PublishOutputRemoved && a.EntityId == id.ToString())));

        await MoveAsync(Actors.Publisher(), id, WorkflowAction.ReopenWithdrawn);
        await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady);
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await DrainAsync();
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task A_job_whose_item_was_withdrawn_before_the_worker_ran_writes_nothing()
    {
        var id = await ReadyAsync();
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Withdraw, "changed our mind");

        Assert.Equal(2, await DrainAsync());

        Assert.False(File.Exists(Path.Combine(app.PublishFolder, Stored(id).OutputFile!)));
        Assert.All(app.Read(db => db.PublishJobs.Where(j => j.ItemId == id).ToList()), j => Assert.Equal("removed", j.Result));
    }

    [Fact]
    public async Task A_scheduled_item_is_published_when_due_and_not_before()
    {
        var id = await ReadyAsync();
        var due = DateTimeOffset.UtcNow.AddDays(1);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, due, CancellationToken.None))).Succeeded);
        var loop = app.Services.GetRequiredService<PublishingLoop>();

        var wake = await loop.RoundAsync(CancellationToken.None);
        Assert.Equal(WorkflowState.Ready, Stored(id).State);
        Assert.Equal(Core.Auditing.AuditRecord.Truncate(due), wake);

        Elapse(id, TimeSpan.FromHours(23));
        await loop.RoundAsync(CancellationToken.None);
        Assert.Equal(WorkflowState.Ready, Stored(id).State);
        Elapse(id, TimeSpan.FromHours(2));
        await loop.RoundAsync(CancellationToken.None);

        var item = Stored(id);
        Assert.Equal(WorkflowState.Published, item.State);
        Assert.Null(item.PublishAt);
        Assert.True(File.Exists(Path.Combine(app.PublishFolder, item.OutputFile!)));
        var audit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString() && a.Actor == "system:worker"));
        Assert.Contains("publisher@example.com", audit.Data);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("locked")]
    public async Task A_disabled_or_locked_publishers_schedule_does_not_go_out(string status)
    {
        var email = $"scheduler-{status}-{Guid.NewGuid():N}@example.com";
        var account = await app.RunAsync(async s =>
        {
            var users = s.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CmsUser>>();
            var user = new CmsUser { UserName = email, Email = email, CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(user, "correct horse battery")).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Publisher)).Succeeded);
            return user.Id;
        });
        var publisher = new Actor(account, email, Permissions.Of([Roles.Publisher]));
        var id = await ReadyAsync();
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(publisher, id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        // The account is disabled or locked after scheduling, and the time comes (moved, not waited for).
        app.Read(db => status == "disabled"
            ? db.Users.Where(u => u.Id == account).ExecuteUpdate(u => u.SetProperty(x => x.DisabledAt, DateTimeOffset.UtcNow))
            : db.Users.Where(u => u.Id == account).ExecuteUpdate(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddYears(100))));
        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddMinutes(-1))));

        var published = await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().PublishDueAsync(PublishWorker.Actor, CancellationToken.None));

        Assert.Equal(0, published);
        var item = Stored(id);
        Assert.Equal(WorkflowState.Ready, item.State);
        Assert.Null(item.PublishAt);
        Assert.Null(item.OutputFile);
        var refusal = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemTransitionRefused && a.EntityId == id.ToString()));
        Assert.Contains($"\"account\":\"{status}\"", refusal.Payload);
    }

    [Fact]
    public async Task A_cancelled_schedule_is_never_published()
    {
        var id = await ReadyAsync();
        var schedule = (Func<PublishSchedule, Task<Outcome>> f) => app.RunAsync(s => f(s.GetRequiredService<PublishSchedule>()));
        await schedule(s => s.ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None));

        Assert.True((await schedule(s => s.CancelAsync(Actors.Publisher(), id, CancellationToken.None))).Succeeded);
        Elapse(id, TimeSpan.FromDays(2));
        await app.Services.GetRequiredService<PublishingLoop>().RoundAsync(CancellationToken.None);

        Assert.Equal(WorkflowState.Ready, Stored(id).State);
        Assert.Null(Stored(id).PublishAt);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemPublishScheduleCancelled && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task Scheduling_follows_four_eyes_and_needs_a_future_time()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml()))[0];
        var publisher = Actors.Publisher("self-scheduler@example.com");
        await MoveAsync(publisher, id, WorkflowAction.MarkReady);
        var service = (Func<PublishSchedule, Task<Outcome>> f) => app.RunAsync(s => f(s.GetRequiredService<PublishSchedule>()));

        var own = await service(s => s.ScheduleAsync(publisher, id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));
        var past = await service(s => s.ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None));
        var editor = await service(s => s.ScheduleAsync(Actors.Editor(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None));

        Assert.Equal(OutcomeStatus.Forbidden, own.Status);
        Assert.Equal(OutcomeStatus.Invalid, past.Status);
        Assert.Equal(OutcomeStatus.Forbidden, editor.Status);
        Assert.Null(Stored(id).PublishAt);
    }
}

// The publish folder cannot be created: a regular file stands where it should be.
public sealed class BrokenFolderFixture : ApplicationFixture
{
    public string Blocker { get; } = Path.Combine(Path.GetTempPath(), "cms-blocker-" + Guid.NewGuid().ToString("N")[..8]);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings
    {
        get
        {
            File.WriteAllText(Blocker, "not a folder");
            return [new("Publishing:Folder", Path.Combine(Blocker, "published"))];
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(Blocker);
    }
}

public sealed class PublishFailureTests(BrokenFolderFixture app) : IClassFixture<BrokenFolderFixture>
{
    [Fact]
    public async Task A_failed_write_keeps_the_job_pending_with_its_reason_and_audits_the_failure()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml()))[0];
        await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(id, WorkflowAction.MarkReady, null), CancellationToken.None));
        await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Publisher(), new(id, WorkflowAction.Publish, null), CancellationToken.None));

        // Measured from before the run, not from when the test looks: a busy machine may take
        // longer than the backoff between the two.
        var before = DateTimeOffset.UtcNow;
        await app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test-worker", CancellationToken.None));

        var job = app.Read(db => db.PublishJobs.Single(j => j.ItemId == id));
        Assert.Equal(PublishJobStatus.Pending, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.NotNull(job.LastError);
        // PostgreSQL keeps microseconds.
        var earliest = before.AddTicks(-(before.Ticks % 10)) + PublishingOptions.Backoff(1);
        Assert.True(job.NextAttemptAt >= earliest, $"a retry waits (backoff): next attempt {job.NextAttemptAt:O}, not before {earliest:O}");
        var failed = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.PublishOutputFailed && a.EntityId == id.ToString()));
        Assert.Contains("\"attempt\":1", failed.Data);
        Assert.Equal(WorkflowState.Published, app.Read(db => db.Items.Single(i => i.Id == id).State));
    }
}
