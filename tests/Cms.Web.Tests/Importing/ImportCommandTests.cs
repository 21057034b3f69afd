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
        const int beforeThePipe = 1_500;
        using var corpus = Corpus.Generate(files, seed: 12);
        // More than a batch of files (at most 1,000), then a named pipe nobody writes to, then the
        // rest: the import commits its first batch and then waits on the pipe for ever. It is half
        // way by construction when it is killed, however fast or slow the machine is.
        var first = Directory.CreateDirectory(Path.Combine(corpus.Dir, "first")).FullName;
        var rest = Directory.CreateDirectory(Path.Combine(corpus.Dir, "rest")).FullName;
        var generated = Directory.GetFiles(corpus.Dir).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < generated.Count; i++)
        {
            File.Move(generated[i], Path.Combine(i < beforeThePipe ? first : rest, Path.GetFileName(generated[i])));
        }
        var pipe = Path.Combine(corpus.Dir, "never-written.txt");
        using (var mkfifo = Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        await using var db = TestPostgres.Context(_database);

        using (var process = Process.Start(Repo.Cms(Env, "import", first, pipe, rest))!)
        {
            await Eventually.HappensAsync(() =>
            {
                Assert.False(process.HasExited, "the import ended while it waited on the pipe");
                return db.Items.Any();
            }, "the first batch committing");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var afterKill = db.Items.Count();
        File.Delete(pipe);
        var (exit, output, _) = await Repo.RunCmsAsync(Env, "import", first, rest);

        // Whole batches only, and nothing from beyond the pipe.
        Assert.InRange(afterKill, 1, beforeThePipe - 1);
        Assert.Equal(0, exit);
        Assert.EndsWith($"imported {files - afterKill}, updated 0, unchanged {afterKill}, rejected 0", output.Trim());
        Assert.Equal(files, db.Items.Count());
        Assert.Equal(files, db.Items.Select(i => i.OriginalUrl).Distinct().Count());
        Assert.Equal(files, db.AuditEvents.Count(a => a.Action == "item.imported"));
    }
}
