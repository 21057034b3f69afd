using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Cms.Web.Tests.Skeleton;

// The benchmarks live outside the product (tools/Cms.Bench) but stay one ./cms command away.
public sealed class BenchCommandTests
{
    private static Dictionary<string, string?> OnTestServer() => new() { ["ConnectionStrings__Cms"] = TestPostgres.ServerConnectionString };

    [Fact]
    public async Task Bench_import_runs_and_prints_its_figures_beside_the_copy_baseline()
    {
        var (exit, output, errors) = await Repo.RunCmsAsync(OnTestServer(), "bench", "import", "--items", "40");

        Assert.True(exit == 0, errors);
        Assert.Contains("import: imported 40, updated 0, unchanged 0, rejected 0", output);
        Assert.Contains("| items | import s | items/s | same-schema COPY s | floor COPY s | import / same-schema | import / floor |", output);
    }

    // More streams than one person may hold on an instance (Live:MaxStreamsPerUser, 50): the bench's
    // streams are all one account's, and it died on the 51st with 429.
    [Fact]
    public async Task Bench_live_holds_more_streams_than_one_persons_limit_and_prints_the_cost_per_stream()
    {
        var (exit, output, errors) = await Repo.RunCmsAsync(OnTestServer(), "bench", "live", "--connections", "60", "--budget-kib", "100000");

        Assert.True(exit == 0, errors + output);
        Assert.Contains("live streams:        60 open on one instance", output);
        Assert.Matches(@"app RSS with 60:\s+[0-9.]+ MiB\s+\(\+-?[0-9.]+ MiB, -?[0-9.]+ KiB per stream\)", output);
    }

    // The peer here is a stand-in HTTP endpoint; in practice another CMS serving the same items.
    [Fact]
    public async Task Bench_queue_runs_and_measures_a_peer_system_in_the_same_run()
    {
        var database = "cms_t_bench_" + Guid.NewGuid().ToString("N")[..12];
        var peerPort = LocalPorts.Free();
        var seenTokens = new System.Collections.Concurrent.ConcurrentBag<string>();
        var peerBuilder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        peerBuilder.WebHost.UseUrls($"http://127.0.0.1:{peerPort}");
        await using var peer = peerBuilder.Build();
        peer.MapGet("/items", (Microsoft.AspNetCore.Http.HttpRequest request) =>
        {
            seenTokens.Add(request.Headers.Authorization.ToString());
            return Microsoft.AspNetCore.Http.Results.Text("{\"data\":[]}", "application/json");
        });
        await peer.StartAsync();
        try
        {
            var (exit, output, errors) = await Repo.RunCmsAsync(OnTestServer(),
                "bench", "queue", "--items", "60", "--requests", "16", "--clients", "2", "--warmup", "40", "--rounds", "3", "--database", database,
                "--peer-url", $"http://127.0.0.1:{peerPort}", "--peer-view", "default=/items?limit=50", "--peer-header", "Authorization: Bearer t0ken");

            Assert.True(exit == 0, errors);
            Assert.Contains("| view | rows | HTML KiB | page p50 ms |", output);
            Assert.Contains("| default view | 50 |", output);
            // The app is measured in its own process, and its memory reported apart from the bench's.
            Assert.Matches(@"app process peak RSS during the measurements: \d+ MiB", output);
            Assert.Contains("| default view | `/items?limit=50` |", output);
            // Rounds of page then SQL, each with its ratio, and their median and spread.
            Assert.Matches(@"\| default view \| 3 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+x \|", output);
            Assert.DoesNotContain("| default view | 4 |", output);
            Assert.Matches(@"\| default view \| [0-9.]+x \([0-9.]+-[0-9.]+\) \| [0-9.]+x \(", output);
            // The app's GC, read inside its process: the settings it runs with, and per round its
            // collections a 1,000 pages, pause ms and KiB allocated a page (a page allocates), the
            // share of pages a pause fell into and the page's p95 less the pauses over the SQL's.
            Assert.Matches(@"app's GC: Server GC; .*GCDynamicAdaptationMode=1", output);
            Assert.Matches(@"\| default view \| 3 \| .*\| [0-9.]+ / [0-9.]+ / [0-9.]+ \| [0-9.]+ \| [1-9][0-9]*\.[0-9] \| [0-9.]+% \| [0-9.]+ / [0-9.]+ = [0-9.]+x \|\r?\n", output);
            Assert.Contains("Bearer t0ken", seenTokens);
            Assert.True(seenTokens.Count >= 16);
        }
        finally
        {
            await peer.StopAsync();
            await TestPostgres.DropDatabaseAsync(TestPostgres.ConnectionStringFor(database));
        }
    }
}
