using System.Diagnostics;
using System.Text.Json;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Importing;

// `./cms import` as an operator runs it: output format, exit codes, and a kill half way.
public sealed class ImportCommandTests : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_database);

    private Dictionary<string, string?> Env => new() { ["ConnectionStrings__Cms"] = _database };

    [Fact]
    public async Task Refused_files_get_a_line_each_the_summary_is_last_and_the_exit_code_is_3()
    {
        using var corpus = Corpus.Generate(3, seed: 9);
        var bad = corpus.Write("bad.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/q\"\nquality: 101\n---\n");
        var reportFile = Path.Combine(corpus.Dir, "report.json");

        var (exit, output, _) = await Repo.RunCmsAsync(Env, "import", corpus.Dir, "--report", reportFile);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, exit);
        Assert.Contains($"{bad}: line 4, column 10: field 'quality': must be an integer from 0 to 100", lines);
        Assert.Equal("imported 3, updated 0, unchanged 0, rejected 1", lines[^1]);
        using var json = JsonDocument.Parse(File.ReadAllText(reportFile));
        Assert.Equal(3, json.RootElement.GetProperty("imported").GetInt32());
        Assert.Equal(bad, json.RootElement.GetProperty("problems")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_clean_import_exits_0_and_a_missing_path_exits_2()
    {
        using var corpus = Corpus.Generate(2, seed: 10);

        var (clean, cleanOutput, _) = await Repo.RunCmsAsync(Env, "import", corpus.Dir);
        var (missing, _, missingOutput) = await Repo.RunCmsAsync(Env, "import", "/no/such/folder");

        Assert.Equal(0, clean);
        Assert.EndsWith("imported 2, updated 0, unchanged 0, rejected 0", cleanOutput.Trim());
        Assert.Equal(2, missing);
        Assert.Contains("/no/such/folder: no such file or folder", missingOutput);
    }

    [Fact]
    public async Task Killing_an_import_half_way_and_running_it_again_leaves_exactly_one_item_per_file()
    {
        const int files = 12_000;
        using var corpus = Corpus.Generate(files, seed: 12);
        await using var db = TestPostgres.Context(_database);

        using (var process = Process.Start(Repo.Cms(Env, "import", corpus.Dir))!)
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (db.Items.Count() == 0)
            {
                Assert.False(process.HasExited, "the import finished before it could be killed");
                Assert.True(DateTime.UtcNow < deadline, "no batch committed within 3 minutes");
                await Task.Delay(20);
            }
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var afterKill = db.Items.Count();
        var (exit, output, _) = await Repo.RunCmsAsync(Env, "import", corpus.Dir);

        Assert.InRange(afterKill, 1, files - 1);
        Assert.Equal(0, exit);
        Assert.EndsWith($"imported {files - afterKill}, updated 0, unchanged {afterKill}, rejected 0", output.Trim());
        Assert.Equal(files, db.Items.Count());
        Assert.Equal(files, db.Items.Select(i => i.OriginalUrl).Distinct().Count());
        Assert.Equal(files, db.AuditEvents.Count(a => a.Action == "item.imported"));
    }
}
