using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cms.Bench;

// ./cms bench import --items N: generates N files shaped like the real sample (or the varied,
// hostile corpus of the round-trip tests with --shape varied), imports them into a fresh database,
// and measures two baselines in the same run, each timing only PostgreSQL's binary COPY of rows
// mapped beforehand by the importer's own ItemRows and written by its ItemCopy:
// - same schema: the same rows into a second fresh migrated database (indexes, generated
//   search vector, triggers and all), so the ratio is the importer's own overhead;
// - storage floor: the items and related links into two plain tables with only a primary key, a
//   unique URL index and a foreign-key index, the least it can cost to store the corpus at all.
// Audit rows of the same-schema baseline are stored unsealed, as the importer stores them (the
// sealer chains them after commit, off the import's clock in both cases).
public static partial class ImportBench
{
    private const int BaselineBatch = 5_000;

    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "How many items to generate", DefaultValueFactory = _ => 10_000 };
        var shape = new Option<string>("--shape") { Description = "realistic (like the real sample, ~5 KiB) or varied (hostile round-trip corpus, ~2 KiB)", DefaultValueFactory = _ => "realistic" };
        shape.AcceptOnlyFromAmong("realistic", "varied");
        var cliOnly = new Option<bool>("--cli-only") { Description = "Only the `./cms import` runs (time and peak RSS), without the in-process import and the COPY baselines" };
        var attribute = new Option<bool>("--attribute") { Description = "Only the schema's cost: COPY of the same rows into the schema with one piece removed at a time" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds of --attribute (the median is printed)", DefaultValueFactory = _ => 2 };
        var perIndex = new Option<bool>("--per-index") { Description = "With --attribute: also each secondary index on its own" };
        var only = new Option<string[]>("--variant") { Description = "With --attribute: only the variants whose name contains this text (repeatable; the full schema is always run)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("import", "Time the import of N generated items against plain COPY baselines of the same rows.") { items, shape, cliOnly, attribute, rounds, perIndex, only };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(items);
            if (n <= 0)
            {
                Console.Error.WriteLine("--items must be positive");
                return BenchProgram.Usage;
            }
            if (parse.GetValue(attribute))
            {
                await RunAsync(n, parse.GetRequiredValue(shape) == "realistic", inProcess: false, cli: false, ct, attributeRounds: Math.Max(1, parse.GetValue(rounds)), perIndex: parse.GetValue(perIndex), only: parse.GetValue(only) ?? []);
                return BenchProgram.Ok;
            }
            await RunAsync(n, parse.GetRequiredValue(shape) == "realistic", inProcess: !parse.GetValue(cliOnly), cli: true, ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    // inProcess: the importer in this process against the two COPY baselines; cli: `./cms import`
    // as its own process (time and peak RSS) against Server GC.
    internal static async Task RunAsync(int n, bool realistic, bool inProcess, bool cli, CancellationToken ct, int attributeRounds = 0, bool perIndex = false, string[]? only = null)
    {
        var server = BenchSupport.ServerConnectionString();
        var work = Directory.CreateTempSubdirectory("cms-bench-import-").FullName;
        var corpus = Directory.CreateDirectory(Path.Combine(work, "items")).FullName;
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var importDb = $"cms_bench_import_{stamp}";
        var copyDb = $"cms_bench_copy_{stamp}";
        var floorDb = $"cms_bench_floor_{stamp}";
        var cliDbs = new[] { $"cms_bench_cli_{stamp}", $"cms_bench_cli_sgc_{stamp}" };
        try
        {
            var clock = Stopwatch.StartNew();
            Func<int, string> generate = realistic ? new RealisticItemGenerator(seed: 42).Next : new ItemFileGenerator(seed: 42).Next;
            long bytes = 0;
            for (var i = 0; i < n; i++)
            {
                var text = generate(i);
                bytes += Encoding.UTF8.GetByteCount(text);
                await File.WriteAllTextAsync(Path.Combine(corpus, ItemFileGenerator.FileName(i, text)), text, ct);
            }
            Console.WriteLine($"load average at the start: {LoadAverage()} (2 cores shared with other work)");
            Console.WriteLine($"generated {n} {(realistic ? "realistic" : "varied")} items ({bytes / 1024.0 / 1024.0:F1} MiB, {bytes / 1024.0 / n:F1} KiB each) in {clock.Elapsed.TotalSeconds:F1} s");

            if (attributeRounds > 0)
            {
                await AttributeAsync(n, server, corpus, stamp, attributeRounds, perIndex, only ?? [], ct);
            }
            if (inProcess)
            {
                await InProcessAsync(n, server, corpus, importDb, copyDb, floorDb, ct);
            }
            if (cli)
            {
                await CommandLineAsync(n, server, corpus, cliDbs, ct);
            }
            Console.WriteLine($"load average at the end: {LoadAverage()}");
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, importDb, CancellationToken.None);
            await BenchSupport.DropDatabaseAsync(server, copyDb, CancellationToken.None);
            await BenchSupport.DropDatabaseAsync(server, floorDb, CancellationToken.None);
            foreach (var db in cliDbs)
            {
                await BenchSupport.DropDatabaseAsync(server, db, CancellationToken.None);
            }
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task InProcessAsync(int n, string server, string corpus, string importDb, string copyDb, string floorDb, CancellationToken ct)
    {
        var clock = new Stopwatch();
        var parser = new ImportParser(new ItemParser(new YamlFrontMatterReader()), new FrontMatterOptions(), new ImportOptions(), NullLogger<ImportParser>.Instance);
        clock.Restart();
        var parseCpu = BenchSupport.CpuSeconds("").App;
        foreach (var path in Directory.EnumerateFiles(corpus))
        {
            parser.Parse(path, await File.ReadAllBytesAsync(path, ct));
        }
        Console.WriteLine(FormattableString.Invariant($"read and parse only (no database, one thread): {clock.Elapsed.TotalSeconds:F1} s, {BenchSupport.CpuSeconds("").App - parseCpu:F1} s of CPU"));

        var importCs = await BenchSupport.CreateDatabaseAsync(server, importDb, ct);
        var rssBefore = BenchSupport.PeakRssMiB();
        var cpuBefore = BenchSupport.CpuSeconds(importDb);
        var (allocatedBefore, pauseBefore, gen2Before) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        var (jitBefore, jittedBefore) = (System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
        clock.Restart();
        ImportProfile? profile = null;
        StoryGroupingProfile? grouping = null;
        var cpuAfter = cpuBefore;
        var outcome = await CliHost.RunAsync(async s =>
        {
            profile = s.GetRequiredService<ImportProfile>();
            grouping = s.GetRequiredService<StoryGrouping>().Profile;
            var done = await s.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), [corpus], null, ct);
            // Before the host closes the import's connections (their backends' time goes with them).
            cpuAfter = BenchSupport.CpuSeconds(importDb);
            Console.WriteLine(FormattableString.Invariant(
                $"import GC: {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / 1024 / 1024:F1} GiB allocated, {(GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds:F1} s paused, {GC.CollectionCount(2) - gen2Before} gen2 collections"));
            // The JIT's share of the import's CPU (tiering compiles hot methods again, with PGO).
            Console.WriteLine(FormattableString.Invariant(
                $"import JIT: {(System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds:F1} s compiling {System.Runtime.JitInfo.GetCompiledMethodCount() - jittedBefore} methods"));
            return done;
        }, importCs);
        var importSeconds = clock.Elapsed.TotalSeconds;
        var peak = BenchSupport.PeakRssMiB();
        Console.WriteLine($"import: {outcome.Value!.Summary}");
        // On 2 cores the import cannot take less wall time than its CPU over 2.
        Console.WriteLine(FormattableString.Invariant(
            $"import CPU: this process {cpuAfter.App - cpuBefore.App:F1} s, PostgreSQL {cpuAfter.Postgres - cpuBefore.Postgres:F1} s (its database's processes), wall {importSeconds:F1} s"));
        // Grouping's profile only when it ran (Stories__Grouping=false leaves it empty).
        foreach (var line in profile!.Lines().Concat(grouping!.Batches > 0 ? grouping.Lines() : []))
        {
            Console.WriteLine(line);
        }

        var copyCs = await BenchSupport.CreateDatabaseAsync(server, copyDb, ct);
        var copySeconds = await CopyBaselineAsync(copyCs, corpus, parser, floor: false, ct);
        var floorCs = await BenchSupport.CreateEmptyDatabaseAsync(server, floorDb, ct);
        var floorSeconds = await CopyBaselineAsync(floorCs, corpus, parser, floor: true, ct);

        Console.WriteLine();
        Console.WriteLine($"| items | import s | items/s | same-schema COPY s | floor COPY s | import / same-schema | import / floor | peak RSS MiB (before import) |");
        Console.WriteLine($"|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(FormattableString.Invariant(
            $"| {n} | {importSeconds:F1} | {n / importSeconds:F0} | {copySeconds:F1} | {floorSeconds:F1} | {importSeconds / copySeconds:F2}x | {importSeconds / floorSeconds:F2}x | {peak:F0} ({rssBefore:F0}) |"));
    }

    private static async Task CommandLineAsync(int n, string server, string corpus, string[] cliDbs, CancellationToken ct)
    {
        // The command users run, its own process: as `./cms import` starts it, and as the
        // baseline with Server GC (what the command ran with before; the web host's default).
        var shipped = await CliImportAsync(server, cliDbs[0], corpus, serverGc: false, ct);
        var serverGc = await CliImportAsync(server, cliDbs[1], corpus, serverGc: true, ct);

        Console.WriteLine();
        Console.WriteLine($"| `./cms import` of {n} files (own process) | s | items/s | peak RSS MiB (VmHWM) | CPU s: app + PostgreSQL |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(FormattableString.Invariant($"| as shipped (`cms` script): workstation GC, 32 MiB gen0 budget | {shipped.Seconds:F1} | {n / shipped.Seconds:F0} | {shipped.PeakMiB:F0} | {shipped.AppCpu:F1} + {shipped.PostgresCpu:F1} |"));
        Console.WriteLine(FormattableString.Invariant($"| baseline: Server GC, default budget | {serverGc.Seconds:F1} | {n / serverGc.Seconds:F0} | {serverGc.PeakMiB:F0} | {serverGc.AppCpu:F1} + {serverGc.PostgresCpu:F1} |"));
        Console.WriteLine();
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    // `./cms import CORPUS` into a fresh migrated database, timed from start to exit, its peak RSS
    // read from /proc/PID/status (VmHWM) every 20 ms while it runs (the script execs dotnet, so the
    // PID is the .NET process's). serverGc: Server GC with its default budget instead of what the
    // script chooses.
    private static async Task<(double Seconds, double PeakMiB, double AppCpu, double PostgresCpu)> CliImportAsync(string server, string database, string corpus, bool serverGc, CancellationToken ct)
    {
        await BenchSupport.CreateDatabaseAsync(server, database, ct);
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "cms"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("import");
        start.ArgumentList.Add(corpus);
        start.Environment["CMS_SKIP_BUILD"] = "1";
        start.Environment["ConnectionStrings__Cms"] = BenchSupport.AppConnectionString(database);
        start.Environment.Remove("ConnectionStrings__CmsOwner");
        start.Environment.Remove("DOTNET_gcServer");
        start.Environment.Remove("DOTNET_GCgen0size");
        start.Environment.Remove("DOTNET_gcConcurrent");
        if (serverGc)
        {
            // What the command ran with before: the web host's Server GC and the default budget (0).
            start.Environment["DOTNET_gcServer"] = "1";
            start.Environment["DOTNET_GCgen0size"] = "0";
            start.Environment["DOTNET_gcConcurrent"] = "1";
        }
        await using var backends = new BackendCpu(database);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        double peak = 0;
        // CPU of the process (the script execs dotnet: the same PID), the last value read before it
        // ended (at most 20 ms short); its database's backends are sampled by BackendCpu.
        long appTicks = 0;
        while (!process.HasExited)
        {
            try
            {
                // A process that has exited but is not yet reaped has no VmHWM line (NaN).
                if (BenchSupport.PeakRssMiB(process.Id) is var now && !double.IsNaN(now))
                {
                    peak = Math.Max(peak, now);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Exited between the check and the read.
            }
            appTicks = Math.Max(appTicks, ProcCpu.Ticks(process.Id) ?? 0);
            await Task.Delay(20, ct);
        }
        await process.WaitForExitAsync(ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var summary = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"./cms import exited {process.ExitCode}: {await errors}");
        }
        Console.WriteLine($"./cms import ({(serverGc ? "Server GC" : "as shipped")}): {summary}");
        return (seconds, peak, appTicks / ProcCpu.TicksPerSecond, (await backends.StopAsync()).Sum());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cms")) && File.Exists(Path.Combine(dir.FullName, "Cms.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository (./cms) was not found above " + AppContext.BaseDirectory);
    }

    // The plain tables of the storage floor: a primary key, a unique URL index, a foreign-key index.
    private const string FloorSchema = """
        CREATE TABLE floor_items (id bigint PRIMARY KEY, original_url text NOT NULL, file_name text NOT NULL, title text NOT NULL,
          excerpt text, category text, type text, provider_name text, provider_domain text, published_at timestamptz, web_url text,
          quality int, heat int, state varchar(16) NOT NULL, source_yaml text NOT NULL, source_hash varchar(64) NOT NULL,
          images_json jsonb, imported_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, source_changed boolean NOT NULL,
          story_id bigint NOT NULL, story_sim_hash bigint, story_keys int[], story_term_ids int[]);
        CREATE UNIQUE INDEX ON floor_items (original_url);
        CREATE TABLE floor_links (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, item_id bigint NOT NULL REFERENCES floor_items (id),
          position int NOT NULL, title text, excerpt text, url text, is_safe_url boolean NOT NULL, provider_name text, provider_domain text,
          published_at timestamptz, decision varchar(16) NOT NULL, reason text, quality int, image_url text, identity text);
        CREATE INDEX ON floor_links (item_id);
        """;

    // The floor's rows: items and their related links into the plain tables of FloorSchema.
    private static async Task CopyFloorAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, CancellationToken ct)
    {
        await ItemCopy.WriteItemsAsync(conn, items, "floor_items", ct);
        await ItemCopy.WriteLinksAsync(conn, items.SelectMany(i => i.RelatedLinks), "floor_links", ct);
    }

    // The same rows the importer stores, through the same mapping and COPY writer, in one
    // transaction; reading, parsing and mapping happen off the clock. The floor stores only the
    // items and their related links, in plain tables.
    private static async Task<double> CopyBaselineAsync(string cs, string corpus, ImportParser parser, bool floor, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var topics = scope.ServiceProvider.GetRequiredService<TopicVocabulary>();
        var actor = Actor.System("bench");
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        if (floor)
        {
            await db.Database.ExecuteSqlRawAsync(FloorSchema, ct);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var clock = new Stopwatch();
        long nextId = 1;
        foreach (var chunk in Directory.EnumerateFiles(corpus).Chunk(BaselineBatch))
        {
            var prepared = new List<PreparedItem>(chunk.Length);
            foreach (var path in chunk)
            {
                prepared.Add(parser.Parse(path, await File.ReadAllBytesAsync(path, ct)).Item!);
            }
            var topicIds = floor ? null : (await topics.EnsureFromImportAsync(actor, prepared.SelectMany(p => p.Parsed.Topics), itemIds: 0, ct)).TopicIds;
            await db.SaveChangesAsync(ct);
            var now = DateTimeOffset.UtcNow;
            var items = new List<Item>(prepared.Count);
            foreach (var p in prepared)
            {
                var item = ItemRows.NewItem(nextId, p, now);
                if (topicIds is not null)
                {
                    item.Topics.AddRange(ItemRows.Topics(nextId, p.Parsed.Topics, topicIds));
                }
                nextId++;
                items.Add(item);
            }
            if (floor)
            {
                clock.Start();
                await CopyFloorAsync(conn, items, ct);
                clock.Stop();
                continue;
            }
            var audit = items.Select(i => AuditLog.Record(actor, AuditActions.ItemImported, AuditTargets.Item,
                i.Id.ToString(CultureInfo.InvariantCulture), AuditRecord.SerializeData(new { file = i.FileName, state = i.State.ToString() }), now))
                .Select(r => (r, r.ToPayload())).ToList();
            clock.Start();
            await ItemCopy.WriteAsync(conn, items, ct);
            await AuditRows.CopyUnsealedAsync(conn, audit, ct);
            clock.Stop();
        }
        clock.Start();
        await tx.CommitAsync(ct);
        clock.Stop();
        return clock.Elapsed.TotalSeconds;
    }
}
