using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench writes --items N: do writes wait for one another? Editors' saves over HTTP (E editors,
// each saving its own items in a loop, the app in its own process as the role that owns nothing,
// sealing its audit trail as production does) measured:
// - with nothing else running (before and after the imports: the machine is shared);
// - while `./cms import` of N realistic items runs (the command users run, its own process);
// - while two imports of N/2 items each run at once.
// Import throughput is measured with the editors and, on a database of its own, without them.
// Then `audit verify` over the whole trail, and a crash: an import and the app (its sealer) killed
// halfway through another import of N items, the app restarted, the import rerun, verify again.
public static class WritesBench
{
    private const int SeedItems = 200;
    private const int WarmUpSaves = 20;

    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "Items per import (the two concurrent imports take half each)", DefaultValueFactory = _ => 100_000 };
        var editors = new Option<int>("--editors") { Description = "Concurrent editors saving over HTTP", DefaultValueFactory = _ => 4 };
        var idleSaves = new Option<int>("--idle-saves") { Description = "Saves per editor in each idle measurement", DefaultValueFactory = _ => 150 };
        var pause = new Option<int>("--pause-ms") { Description = "Each editor's pause between two saves", DefaultValueFactory = _ => 200 };
        var command = new Command("writes", "Editors' save latency while imports run, against the same saves alone; import throughput with and without editors; verify after a crash.")
        {
            items, editors, idleSaves, pause,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(items) < 2 || parse.GetValue(editors) < 1 || parse.GetValue(idleSaves) < 1 || parse.GetValue(pause) < 0)
            {
                Console.Error.WriteLine("--items must be at least 2, --editors and --idle-saves at least 1, --pause-ms at least 0");
                return BenchProgram.Usage;
            }
            await RunAsync(parse.GetValue(items), parse.GetValue(editors), parse.GetValue(idleSaves), TimeSpan.FromMilliseconds(parse.GetValue(pause)), ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    private sealed record Latencies(List<double> Saves, int Errors, string? FirstError)
    {
        public double At(double p)
        {
            if (Saves.Count == 0)
            {
                return double.NaN;
            }
            var sorted = Saves.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        }
    }

    private static async Task RunAsync(int n, int editorCount, int idleSaves, TimeSpan pause, CancellationToken ct)
    {
        var server = BenchSupport.ServerConnectionString();
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("cms-bench-writes-").FullName;
        var databases = new[] { $"cms_bench_writes_{stamp}", $"cms_bench_alone_{stamp}", $"cms_bench_crash_{stamp}" };
        Console.WriteLine($"load average at the start: {LoadAverage()} (2 cores shared with other work)");
        try
        {
            var clock = Stopwatch.StartNew();
            var corpus = Generate(Path.Combine(work, "a"), 0, n);
            var halves = new[] { Generate(Path.Combine(work, "b1"), n, n / 2), Generate(Path.Combine(work, "b2"), n + n / 2, n - n / 2) };
            Console.WriteLine($"generated {n} + {n / 2} + {n - n / 2} realistic items in {clock.Elapsed.TotalSeconds:F0} s");

            // Import alone, on a database of its own (same seed items, no editors, the app idle).
            var aloneCs = await PrepareAsync(server, databases[1], ct);
            var alone = await ImportAsync(aloneCs, corpus, ct);
            Console.WriteLine(FormattableString.Invariant($"import alone: {alone.Summary} in {alone.Seconds:F1} s"));

            var cs = await PrepareAsync(server, databases[0], ct);
            await using var app = await StartAppAsync(cs, work, ct);
            var editors = await EditorsAsync(cs, app.Address, editorCount, ct);
            await SavesAsync(editors, pause, stop: null, savesEach: WarmUpSaves, ct);

            var idleBefore = await SavesAsync(editors, pause, stop: null, idleSaves, ct);
            var phases = new List<(string Phase, Latencies Saves, Import? Import)> { ("idle, before the imports", idleBefore, null) };

            var one = await WhileAsync(editors, pause, () => ImportAsync(cs, corpus, ct), ct);
            phases.Add(("during one import", one.Saves, one.Imports));
            var behind = await UnsealedAsync(cs, ct);

            var two = await WhileAsync(editors, pause, async () =>
            {
                var imports = await Task.WhenAll(halves.Select(h => ImportAsync(cs, h, ct)));
                return new Import($"{imports[0].Summary} | {imports[1].Summary}", imports.Max(i => i.Seconds), imports.Sum(i => i.Items));
            }, ct);
            phases.Add(("during two imports at once", two.Saves, two.Imports));

            var idleAfter = await SavesAsync(editors, pause, stop: null, idleSaves, ct);
            phases.Add(("idle, after the imports", idleAfter, null));

            Console.WriteLine();
            Console.WriteLine($"{editorCount} editors over HTTP, each pausing {pause.TotalMilliseconds:F0} ms between saves; load average now {LoadAverage()}");
            // Against both idle measurements: the machine's other work comes and goes.
            Console.WriteLine("| editors' saves | saves | errors | p50 ms | p99 ms | p99 / idle p99 before | p99 / idle p99 after | import items | import s | items/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            phases.ForEach(r => Console.WriteLine(Row(r.Phase, r.Saves, idleBefore, idleAfter, r.Import)));
            foreach (var (phase, saves) in new[] { ("idle before", idleBefore), ("one import", one.Saves), ("two imports", two.Saves), ("idle after", idleAfter) })
            {
                if (saves.FirstError is { } error)
                {
                    Console.WriteLine($"{phase}: {saves.Errors} saves failed, the first: {error}");
                }
            }
            Console.WriteLine(FormattableString.Invariant($"| (no editors: import alone) | | | | | | | {n} | {alone.Seconds:F1} | {n / alone.Seconds:F0} |"));
            Console.WriteLine(FormattableString.Invariant(
                $"import throughput with editors / alone: {n / one.Imports.Seconds / (n / alone.Seconds):F2}x; unsealed events when the import ended: {behind}"));

            var verified = await SealAndVerifyAsync(cs, app, ct);
            Console.WriteLine($"audit verify after the imports with {editorCount} editors: {verified}");

            await CrashAsync(server, databases[2], corpus, work, ct);
        }
        finally
        {
            foreach (var database in databases)
            {
                await BenchSupport.DropDatabaseAsync(server, database, CancellationToken.None);
            }
            Directory.Delete(work, recursive: true);
        }
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Generate(string folder, int first, int count)
    {
        Directory.CreateDirectory(folder);
        var generator = new RealisticItemGenerator(seed: first);
        for (var i = first; i < first + count; i++)
        {
            var text = generator.Next(i);
            File.WriteAllText(Path.Combine(folder, ItemFileGenerator.FileName(i, text)), text);
        }
        return folder;
    }

    // A migrated database (as the owner) with the editors' seed items; the app's connection to it.
    private static async Task<string> PrepareAsync(string server, string database, CancellationToken ct)
    {
        await BenchSupport.CreateDatabaseAsync(server, database, ct);
        var cs = BenchSupport.AppConnectionString(database);
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        var generator = new RealisticItemGenerator(seed: 7_000_000);
        var seed = Enumerable.Range(0, SeedItems).Select(i => ImportSources.FromBytes($"seed/{i:D4}.txt", System.Text.Encoding.UTF8.GetBytes(generator.Next(7_000_000 + i))));
        await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), seed, null, ct);
        return cs;
    }

    private static Task<AppProcess> StartAppAsync(string cs, string work, CancellationToken ct) =>
        AppProcess.StartAsync(cs, ["--RateLimit:LoginPerMinute=100000", $"--Audit:AnchorFolder={Path.Combine(work, "anchors")}"], ct);

    private sealed record Editor(HttpClient Http, IReadOnlyList<long> Items);

    // Each editor signs in with an account of their own and works on items nobody else edits.
    private static async Task<List<Editor>> EditorsAsync(string cs, Uri address, int count, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        List<long> ids;
        using (var scope = host.Services.CreateScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items.OrderBy(i => i.Id).Select(i => i.Id).Take(SeedItems).ToListAsync(ct);
        }
        var editors = new List<Editor>();
        for (var e = 0; e < count; e++)
        {
            var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = address };
            await QueueBench.SignInAsync(host.Services, http, $"bench-editor-{e}@cms.local", Roles.Editor, ct);
            editors.Add(new Editor(http, ids.Where((_, i) => i % count == e).ToList()));
        }
        return editors;
    }

    // Every editor saves in a loop (open the item page, change the quality, save) until `stop` is
    // done or each has made `savesEach` saves; only the save POST is timed.
    private static async Task<Latencies> SavesAsync(List<Editor> editors, TimeSpan pause, Task? stop, int savesEach, CancellationToken ct)
    {
        var latencies = new List<double>();
        var errors = 0;
        string? firstError = null;
        var parser = new HtmlParser();
        await Task.WhenAll(editors.Select(editor => Task.Run(async () =>
        {
            for (var i = 0; stop is null ? i < savesEach : !stop.IsCompleted; i++)
            {
                var id = editor.Items[i % editor.Items.Count];
                try
                {
                    var page = await editor.Http.GetStringAsync($"/Items/Details/{id}", ct);
                    var form = (IHtmlFormElement)(await parser.ParseDocumentAsync(page, ct)).GetElementById("edit-form")!;
                    var quality = (IHtmlInputElement)form.Elements["Input.Quality"]!;
                    quality.Value = ((int.TryParse(quality.Value, out var q) ? q : 0) + 1) % 100 + "";
                    using var body = new FormUrlEncodedContent(Fields(form));
                    var start = Stopwatch.GetTimestamp();
                    using var response = await editor.Http.PostAsync(form.GetAttribute("action"), body, ct);
                    var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    lock (latencies)
                    {
                        if (response.StatusCode == HttpStatusCode.Redirect)
                        {
                            latencies.Add(ms);
                        }
                        else
                        {
                            errors++;
                            firstError ??= $"{(int)response.StatusCode} from POST /Items/Details/{id}";
                        }
                    }
                }
                catch (HttpRequestException ex)
                {
                    lock (latencies)
                    {
                        errors++;
                        firstError ??= ex.Message;
                    }
                }
                await Task.Delay(pause, ct);
            }
        }, ct)));
        return new Latencies(latencies, errors, firstError);
    }

    // What a browser submits with the form's default button: every named, enabled field, checked
    // boxes only, selected options.
    private static IEnumerable<KeyValuePair<string, string>> Fields(IHtmlFormElement form)
    {
        foreach (var element in form.Elements)
        {
            var name = element.GetAttribute("name");
            if (string.IsNullOrEmpty(name) || element.HasAttribute("disabled"))
            {
                continue;
            }
            switch (element)
            {
                case IHtmlInputElement input when input.Type is "checkbox" or "radio":
                    if (input.IsChecked)
                    {
                        yield return new(name, input.Value);
                    }
                    break;
                case IHtmlInputElement input when input.Type is not ("submit" or "button" or "file" or "image" or "reset"):
                    yield return new(name, input.Value);
                    break;
                case IHtmlSelectElement select:
                    foreach (var option in select.Options.Where(o => o.IsSelected))
                    {
                        yield return new(name, option.Value);
                    }
                    break;
                case IHtmlTextAreaElement text:
                    yield return new(name, text.Value);
                    break;
            }
        }
    }

    private sealed record Import(string Summary, double Seconds, int Items);

    private static async Task<(Latencies Saves, Import Imports)> WhileAsync(List<Editor> editors, TimeSpan pause, Func<Task<Import>> imports, CancellationToken ct)
    {
        var running = imports();
        var saves = await SavesAsync(editors, pause, running, 0, ct);
        return (saves, await running);
    }

    // `./cms import FOLDER` as its own process, the app's role, timed from start to exit.
    private static async Task<Import> ImportAsync(string cs, string folder, CancellationToken ct)
    {
        using var process = Process.Start(CliProcess(cs, "import", folder))!;
        var clock = Stopwatch.StartNew();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var summary = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"import of {folder} exited {process.ExitCode}: {await errors}");
        }
        return new Import(summary, seconds, Directory.EnumerateFiles(folder).Count());
    }

    private static ProcessStartInfo CliProcess(string cs, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cms.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ConnectionStrings__Cms"] = cs;
        start.Environment.Remove("ConnectionStrings__CmsOwner");
        return start;
    }

    private static string Row(string phase, Latencies saves, Latencies before, Latencies after, Import? import) => FormattableString.Invariant(
        $"| {phase} | {saves.Saves.Count} | {saves.Errors} | {saves.At(0.50):F1} | {saves.At(0.99):F1} | {saves.At(0.99) / before.At(0.99):F2}x | {saves.At(0.99) / after.At(0.99):F2}x | ")
        + (import is null ? "| | |" : FormattableString.Invariant($"{import.Items} | {import.Seconds:F1} | {import.Items / import.Seconds:F0} |"));

    private static async Task<long> UnsealedAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        return (long)(await new NpgsqlCommand("SELECT count(*) FROM audit_events WHERE seq IS NULL", conn).ExecuteScalarAsync(ct))!;
    }

    // Waits for the app's own sealing loop to catch up, then verifies the whole trail.
    private static async Task<string> SealAndVerifyAsync(string cs, AppProcess app, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (await UnsealedAsync(cs, ct) > 0)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"the app's sealer (pid {app.Id}) left events unsealed for 10 minutes");
            }
            await Task.Delay(200, ct);
        }
        var caughtUp = clock.Elapsed.TotalSeconds;
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        clock.Restart();
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(null, ct);
        var events = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().AuditEvents.CountAsync(ct);
        if (!result.Ok || result.Checked != events)
        {
            throw new InvalidOperationException($"audit verify failed: {result.FirstBad?.Reason ?? result.Kept?.Failure} ({result.Checked} of {events} events checked)");
        }
        return FormattableString.Invariant($"passed, {result.Checked} of {events} events chained (sealer caught up {caughtUp:F1} s after, verify {clock.Elapsed.TotalSeconds:F1} s)");
    }

    // An instance (the import) and the sealer (the app) killed halfway through an import; the app
    // restarted, the import run again to the end; every event sealed once and verified.
    private static async Task CrashAsync(string server, string database, string corpus, string work, CancellationToken ct)
    {
        var cs = await PrepareAsync(server, database, ct);
        var app = await StartAppAsync(cs, work, ct);
        try
        {
            using var import = Process.Start(CliProcess(cs, "import", corpus))!;
            _ = import.StandardOutput.ReadToEndAsync(ct);
            _ = import.StandardError.ReadToEndAsync(ct);
            var total = Directory.EnumerateFiles(corpus).Count();
            long have;
            while ((have = await CountAsync(cs, "SELECT count(*) FROM items", ct)) < SeedItems + total / 2)
            {
                if (import.HasExited)
                {
                    throw new InvalidOperationException("the import ended before it could be killed");
                }
                await Task.Delay(100, ct);
            }
            import.Kill(entireProcessTree: true);
            await app.DisposeAsync();
            var unsealed = await UnsealedAsync(cs, ct);
            Console.WriteLine($"crash: killed the import at {have - SeedItems} of {total} items and the app (its sealer) with {unsealed} events unsealed");
            app = await StartAppAsync(cs, work, ct);
            var rerun = await ImportAsync(cs, corpus, ct);
            var verified = await SealAndVerifyAsync(cs, app, ct);
            var imported = await CountAsync(cs, $"SELECT count(*) FROM audit_events WHERE action = '{Cms.Core.Auditing.AuditActions.ItemImported}'", ct);
            Console.WriteLine($"crash: rerun {rerun.Summary}; {imported - SeedItems} item.imported events for {total} items; audit verify {verified}");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(string cs, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        return (long)(await new NpgsqlCommand(sql, conn).ExecuteScalarAsync(ct))!;
    }
}
