using System.Text.Json;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Web.Tests.Workflow;

// The app without its hosted worker: these tests run the worker themselves, in this process or as
// two instances, and decide when it runs.
public sealed class NoWorkerFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Publishing:Worker"] = "false" };
}

public sealed class ExactlyOnceTests(NoWorkerFixture app) : WebTest(app), IClassFixture<NoWorkerFixture>
{
    private async Task<List<long>> PublishedAsync(int count)
    {
        var stories = Enumerable.Range(0, count).Select(_ => new TestItem { RelatedCount = 0 }).ToArray();
        await ImportAsync(stories);
        var ids = stories.Select(ItemId).ToList();
        using var scope = Factory.Services.CreateScope();
        var transitions = scope.ServiceProvider.GetRequiredService<ItemTransitions>();
        await transitions.HandleManyAsync(Actor.System("test") with { UserId = "editor" }, ids, WorkflowAction.MarkReady, null, CancellationToken.None);
        var outcome = await transitions.HandleManyAsync(Actor.System("test") with { UserId = "publisher" }, ids, WorkflowAction.Publish, null, CancellationToken.None);
        Assert.Equal($"Publish: {count} published.", outcome.Message);
        return ids;
    }

    private List<long> JobsOf(IEnumerable<long> items) => Factory.WithDb(db =>
    {
        var list = items.ToList();
        return db.PublishJobs.Where(j => list.Contains(j.ItemId)).Select(j => j.Id).ToList();
    });

    // The job ids named by each output-written event of these items.
    private List<long> WrittenJobs(IEnumerable<long> items)
    {
        var targets = items.Select(i => i.ToString()).ToList();
        var events = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.PublishOutputWritten && targets.Contains(a.EntityId!)).ToList());
        return events.SelectMany(e => JsonDocument.Parse(e.Data!).RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetInt64())).ToList();
    }

    // A crash at a checkpoint as the database sees one: the worker's session ends in the middle of
    // its transaction (it terminates its own backend), so nothing it did there survives, while the
    // files it wrote stay. Once only: the restarted worker passes the point.
    private sealed class CrashAt(string point) : IPublishCheckpoint
    {
        public int Crashes { get; private set; }

        public async Task ReachedAsync(string at, NpgsqlConnection conn, CancellationToken ct)
        {
            if (at != point || Crashes > 0)
            {
                return;
            }
            Crashes++;
            await using var end = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", conn);
            await end.ExecuteNonQueryAsync(ct);
        }
    }

    // The app's worker with the checkpoint, writing to a folder of the test's own.
    private async Task<int> RunWorkerAsync(string folder, IPublishCheckpoint crash)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var options = new PublishingOptions { Folder = folder };
        var worker = ActivatorUtilities.CreateInstance<PublishWorker>(scope.ServiceProvider, options, new[] { crash }.AsEnumerable());
        return await worker.RunOnceAsync("crash-test", CancellationToken.None);
    }

    [Theory]
    [InlineData(IPublishCheckpoint.BeforeWrite, false)]
    [InlineData(IPublishCheckpoint.AfterWrite, true)]
    public async Task A_worker_killed_between_commit_and_completion_loses_nothing_and_writes_the_file_once_after_a_restart(string failAt, bool fileAfterCrash)
    {
        var id = (await PublishedAsync(1))[0];
        var folder = Directory.CreateTempSubdirectory("cms-crash-").FullName;
        var crash = new CrashAt(failAt);
        try
        {
            var crashed = await Record.ExceptionAsync(() => RunWorkerAsync(folder, crash));

            Assert.Equal(1, crash.Crashes);
            Assert.IsAssignableFrom<NpgsqlException>(crashed);
            var name = Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!);
            Assert.Equal(fileAfterCrash, File.Exists(Path.Combine(folder, name)));
            Assert.Equal(PublishJobStatus.Pending, Factory.WithDb(db => db.PublishJobs.Single(j => j.ItemId == id).Status));
            Assert.Empty(WrittenJobs([id]));

            var restarted = await RunWorkerAsync(folder, crash);

            Assert.Equal(1, restarted);
            Assert.Equal([name], Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.Contains("published: true", await File.ReadAllTextAsync(Path.Combine(folder, name)));
            var job = Factory.WithDb(db => db.PublishJobs.Single(j => j.ItemId == id));
            Assert.Equal(PublishJobStatus.Done, job.Status);
            Assert.Equal([job.Id], WrittenJobs([id]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Two_app_instances_draining_one_outbox_write_each_output_once()
    {
        var ids = await PublishedAsync(300);
        var folder = Directory.CreateTempSubdirectory("cms-two-").FullName;
        // Small batches, so both instances take turns at the queue.
        var settings = new Dictionary<string, string?> { ["Publishing:BatchSize"] = "20" };
        await using var first = new CmsFactory(ConnectionString, settings, folder);
        await using var second = new CmsFactory(ConnectionString, settings, folder);
        _ = first.Services;
        _ = second.Services;

        await Eventually.HappensAsync(() => Factory.WithDb(db => db.PublishJobs.Count(j => ids.Contains(j.ItemId) && j.Status == PublishJobStatus.Done)) == ids.Count,
            "both instances draining the outbox");

        var jobs = JobsOf(ids);
        var written = WrittenJobs(ids);
        Assert.Equal(jobs.Order(), written.Order());
        Assert.Equal(ids.Count, Directory.GetFiles(folder).Length);
    }
}
