using System.Diagnostics;
using System.Text.Json;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Delivery;

// A consuming site that mirrors the CMS through the read API only, from the start, while a
// deterministic mix of publications, corrections and withdrawals happens and the folder worker is
// killed and restarted as a separate process.
public sealed class MirrorTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private sealed class Mirror(HttpClient api)
    {
        public Dictionary<long, (int Version, string Item)> Items { get; } = [];
        public string Cursor { get; private set; } = "0";
        public int Requests { get; private set; }

        // Follows nextUrl until a short page, applying entries in order; a tombstone deletes.
        public async Task CatchUpAsync()
        {
            while (true)
            {
                Requests++;
                var page = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/published?after={Cursor}&limit=100")).RootElement;
                foreach (var e in page.GetProperty("items").EnumerateArray())
                {
                    var id = e.GetProperty("id").GetInt64();
                    var version = e.GetProperty("version").GetInt32();
                    Assert.True(!Items.TryGetValue(id, out var known) || known.Version < version, $"item {id}: version {version} after {known.Version}");
                    if (e.GetProperty("status").GetString() == "withdrawn")
                    {
                        Items.Remove(id);
                    }
                    else
                    {
                        Items[id] = (version, e.GetProperty("item").GetRawText());
                    }
                }
                Cursor = page.GetProperty("next").GetString()!;
                if (!page.GetProperty("more").GetBoolean())
                {
                    return;
                }
            }
        }
    }

    private Dictionary<string, string?> Worker() => new()
    {
        ["ConnectionStrings__Cms"] = ConnectionString,
        ["Publishing__Folder"] = Factory.PublishFolder,
        ["DOTNET_DbgEnableMiniDump"] = "0",
    };

    // Kills a real `./cms worker --once` after it has written its files and before it commits, as a
    // crashed machine would. The test holds a SHARE lock on publish_jobs: the worker's claim (FOR
    // UPDATE, a ROW SHARE lock) passes it, its completion (marking the jobs, after the files) must wait;
    // once PostgreSQL shows a session of this test's database waiting there, the process is killed and the lock let
    // go. Returns how many files the worker had written by then.
    private async Task<int> KillWorkerAfterWriteAsync()
    {
        var before = Directory.Exists(Factory.PublishFolder) ? Directory.GetFiles(Factory.PublishFolder).Length : 0;
        await using var held = await RowLocks.HoldAsync(ConnectionString, "LOCK TABLE publish_jobs IN SHARE MODE");
        using var process = Process.Start(Repo.Cms(Worker(), "worker", "--once"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            await held.WaitedForByAsync(process.WaitForExitAsync(), "the worker", "%UPDATE publish_jobs AS j%", TimeSpan.FromMinutes(3));
        }
        catch (InvalidOperationException ex)
        {
            Assert.Fail($"the worker exited before it reached its completion ({ex.Message}): " + await stderr);
        }
        var written = Directory.GetFiles(Factory.PublishFolder).Length - before;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        // Disposing the holder rolls its transaction back.
        return written;
    }

    [Fact]
    public async Task A_mirror_following_the_API_ends_with_exactly_the_published_set_after_1000_publications_corrections_and_withdrawals_and_a_killed_worker()
    {
        var mirror = new Mirror(app.Api(await app.SiteTokenAsync()));
        var stories = Enumerable.Range(0, 200).Select(_ => new TestItem { RelatedCount = 0 }).ToArray();
        await ImportAsync(stories);
        var ids = stories.Select(ItemId).ToList();
        Assert.True((await app.MoveAsync(ids, WorkflowAction.MarkReady, DeliveryFixture.Editor)).Succeeded);
        var random = new Random(19);
        var moves = 0;
        var round = 0;
        while (moves < 1000)
        {
            round++;
            var states = Factory.WithDb(db => db.Items.Where(i => ids.Contains(i.Id)).ToDictionary(i => i.Id, i => i.State));
            var picked = ids.OrderBy(_ => random.Next()).Take(60).ToList();
            var plan = picked.GroupBy(id => states[id] switch
            {
                WorkflowState.Ready => WorkflowAction.Publish,
                WorkflowState.Published => random.Next(3) == 0 ? WorkflowAction.Withdraw : WorkflowAction.Correct,
                WorkflowState.Withdrawn => WorkflowAction.ReopenWithdrawn,
                _ => WorkflowAction.MarkReady,
            });
            foreach (var group in plan)
            {
                var actor = group.Key == WorkflowAction.MarkReady ? DeliveryFixture.Editor : DeliveryFixture.Publisher;
                var outcome = await app.MoveAsync([.. group], group.Key, actor, group.Key is WorkflowAction.Withdraw or WorkflowAction.Correct ? $"round {round}" : null);
                Assert.True(outcome.Succeeded, outcome.Message);
                Assert.DoesNotContain("refused", outcome.Message);
                if (group.Key is WorkflowAction.Publish or WorkflowAction.Correct or WorkflowAction.Withdraw)
                {
                    moves += group.Count();
                }
            }
            if (round % 3 == 0)
            {
                await mirror.CatchUpAsync();
            }
            if (round == 4)
            {
                // The folder worker dies after writing files and before committing; the next run redoes it.
                var pending = Factory.WithDb(db => db.PublishJobs.Count(j => j.Status == Cms.Data.Entities.PublishJobStatus.Pending));
                Assert.True(await KillWorkerAfterWriteAsync() > 0, "the killed worker had written files");
                Assert.Equal(pending, Factory.WithDb(db => db.PublishJobs.Count(j => j.Status == Cms.Data.Entities.PublishJobStatus.Pending)));
            }
            if (round == 8)
            {
                var worker = await Repo.RunCmsAsync(Worker(), "worker", "--once");
                Assert.True(worker.ExitCode == 0, worker.Errors);
            }
        }
        await mirror.CatchUpAsync();
        var final = await Repo.RunCmsAsync(Worker(), "worker", "--once");
        Assert.True(final.ExitCode == 0, final.Errors);

        var published = Factory.WithDb(db => db.Items.Where(i => ids.Contains(i.Id) && i.State == WorkflowState.Published)
            .Join(db.PublishedItems, i => i.Id, p => p.ItemId, (i, p) => new { i.Id, i.OutputFile, p.Version, p.Output, p.Withdrawn })
            .ToList());
        Assert.True(published.Count > 20, "the mix leaves a good part published");
        Assert.All(published, p => Assert.False(p.Withdrawn));
        Assert.Equal(published.Select(p => p.Id).Order(), mirror.Items.Keys.Order());
        Assert.All(published, p => Assert.Equal(p.Version, mirror.Items[p.Id].Version));
        Assert.Contains(mirror.Items.Values, v => v.Version >= 3);
        // The folder holds exactly the same set, each file the delivered version.
        var files = Directory.GetFiles(Factory.PublishFolder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(published.Select(p => p.OutputFile!).Order(), files);
        foreach (var p in published)
        {
            Assert.Equal(p.Output, await File.ReadAllTextAsync(Path.Combine(Factory.PublishFolder, p.OutputFile!)));
        }
    }
}
