using Cms.Web.Tests.Infrastructure;

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
        Assert.Contains("| items | import s | items/s | COPY s | import / COPY |", output);
    }

    [Fact]
    public async Task Bench_queue_runs_and_prints_page_and_sql_figures()
    {
        var database = "cms_t_bench_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var (exit, output, errors) = await Repo.RunCmsAsync(OnTestServer(),
                "bench", "queue", "--items", "60", "--requests", "16", "--clients", "2", "--database", database);

            Assert.True(exit == 0, errors);
            Assert.Contains("| view | rows | page p50 ms |", output);
            Assert.Contains("| default view | 50 |", output);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(TestPostgres.ConnectionStringFor(database));
        }
    }
}
