using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Exporting;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench publish: the publish workflow's three figures, each beside a baseline from the same run.
// 1. Bulk publish of N Ready items over HTTP, from the click (the queue's bulk POST) to the last file
//    in the publish folder, written by the app's own hosted worker; baseline: writing the same
//    rendered files (atomic, fsync, same parallelism) with no database at all.
// 2. The chain's cost on COPY: M audit events as writers store them (unsealed) and then sealed by
//    audit_seal(), against a plain COPY of the same rows already chained; and the import benchmark.
// 3. `audit verify` over E events against reading the same rows without checking them.
public static partial class PublishBench
{
    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "Ready items to bulk publish (0 skips)", DefaultValueFactory = _ => 1_000 };
        var import = new Option<int>("--import-items") { Description = "Items for the import benchmark (0 skips)", DefaultValueFactory = _ => 10_000 };
        var copyEvents = new Option<int>("--copy-events") { Description = "Audit events for chained against plain COPY (0 skips)", DefaultValueFactory = _ => 100_000 };
        var events = new Option<int>("--audit-events") { Description = "Audit events to verify (0 skips)", DefaultValueFactory = _ => 1_000_000 };
        var command = new Command("publish", "Time bulk publishing, the audit chain on COPY, and audit verify.") { items, import, copyEvents, events };
        command.SetAction(async (parse, ct) =>
        {
            var server = BenchSupport.ServerConnectionString();
            if (parse.GetValue(items) is > 0 and var n)
            {
                await BulkPublishAsync(server, Math.Min(n, BulkEdit.MaxItems), ct);
            }
            if (parse.GetValue(copyEvents) is > 0 and var m)
            {
                await ChainedCopyAsync(server, m, ct);
            }
            if (parse.GetValue(events) is > 0 and var e)
            {
                await VerifyAsync(server, e, ct);
            }
            if (parse.GetValue(import) is > 0 and var i)
            {
                await ImportBench.RunAsync(i, realistic: true, inProcess: true, cli: false, ct);
            }
            return BenchProgram.Ok;
        });
        return command;
    }

    private static string Stamp() => DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

    private static async Task BulkPublishAsync(string server, int n, CancellationToken ct)
    {
        var database = $"cms_bench_publish_{Stamp()}";
        var folder = Directory.CreateTempSubdirectory("cms-bench-published-").FullName;
        var floor = Directory.CreateTempSubdirectory("cms-bench-files-").FullName;
        try
        {
            var cs = await BenchSupport.CreateDatabaseAsync(server, database, ct);
            var all = await ReadyItemsAsync(cs, n + WarmUp, ct);
            var warmUp = all[..WarmUp];
            var ids = all[WarmUp..];
            var app = CmsApp.Build([$"--ConnectionStrings:Cms={cs}", "--Logging:LogLevel:Default=Warning", "--RateLimit:LoginPerMinute=100000",
                $"--Publishing:Folder={folder}"], "http://127.0.0.1:0");
            await app.StartAsync(ct);
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
                await QueueBench.SignInAsync(app.Services, http, "bench-publisher@cms.local", Roles.Publisher, ct);
                // A small publication first, so the measured one does not pay for JIT and cold caches.
                await ClickAndWaitAsync(http, warmUp, folder, WarmUp, ct);
                var (answered, lastFile) = await ClickAndWaitAsync(http, ids, folder, WarmUp + n, ct);
                var filesOnly = await FilesOnlyAsync(app.Services, ids, floor, ct);

                Console.WriteLine();
                Console.WriteLine("| items | click → response ms | click → last file ms | same files, no database ms | last file / files only |");
                Console.WriteLine("|---:|---:|---:|---:|---:|");
                Console.WriteLine(FormattableString.Invariant($"| {n} | {answered:F0} | {lastFile:F0} | {filesOnly:F0} | {lastFile / filesOnly:F2}x |"));
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, database, CancellationToken.None);
            Directory.Delete(folder, recursive: true);
            Directory.Delete(floor, recursive: true);
        }
    }

    private const int WarmUp = 20;

    // POSTs the queue's bulk Publish for these items, then waits until the folder holds `files` files.
    // Returns the milliseconds to the response and to the last file.
    private static async Task<(double Answered, double LastFile)> ClickAndWaitAsync(HttpClient http, IReadOnlyList<long> ids, string folder, int files, CancellationToken ct)
    {
        var queue = await http.GetStringAsync("/", ct);
        var token = WebUtility.HtmlDecode(Token().Match(queue).Groups[1].Value);
        var form = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("Bulk.Action", nameof(WorkflowAction.Publish)) };
        form.AddRange(ids.Select(id => new KeyValuePair<string, string>("Bulk.Ids", id.ToString(CultureInfo.InvariantCulture))));
        var clock = Stopwatch.StartNew();
        var response = await http.PostAsync("/?handler=Bulk", new FormUrlEncodedContent(form), ct);
        var answered = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"bulk publish answered {(int)response.StatusCode}");
        }
        while (Directory.EnumerateFiles(folder, "*.txt").Count() < files)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the worker did not write every file within two minutes");
            }
            await Task.Delay(5, ct);
        }
        return (answered, clock.Elapsed.TotalMilliseconds);
    }

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)""")]
    private static partial Regex Token();

    // N generated items (the importer's own path), their links approved and marked ready by an editor.
    private static async Task<long[]> ReadyItemsAsync(string cs, int n, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        var generator = new ItemFileGenerator(seed: 8);
        var files = Enumerable.Range(0, n).Select(i =>
        {
            var text = generator.Next(i);
            return ImportSources.FromBytes(ItemFileGenerator.FileName(i, text), System.Text.Encoding.UTF8.GetBytes(text));
        });
        await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), files, null, ct);
        var ids = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items.Select(i => i.Id).OrderBy(i => i).ToListAsync(ct);
        var editor = new Actor("bench-editor", "bench-editor@cms.local", Permissions.Of([Roles.Editor]));
        foreach (var chunk in ids.Chunk(BulkEdit.MaxItems))
        {
            await scope.ServiceProvider.GetRequiredService<BulkEdit>().HandleAsync(editor, new BulkEdit.Command(chunk, BulkEdit.ApproveLinks, null), ct);
        }
        var ready = await scope.ServiceProvider.GetRequiredService<ItemTransitions>().HandleManyAsync(editor, ids, WorkflowAction.MarkReady, null, ct);
        Console.WriteLine($"prepared {n} items: {ready.Message}");
        return [.. ids];
    }

    // The floor: the same rendered files written the same way, with no claim, no audit, no commit.
    private static async Task<double> FilesOnlyAsync(IServiceProvider services, IReadOnlyList<long> ids, string folder, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var exporter = scope.ServiceProvider.GetRequiredService<ItemExporter>();
        var options = scope.ServiceProvider.GetRequiredService<PublishingOptions>();
        var prepareClock = Stopwatch.StartNew();
        var prepared = await exporter.PrepareAsync(await exporter.RowsAsync(ids, ct), ct);
        var prepare = prepareClock.Elapsed.TotalMilliseconds;
        prepareClock.Restart();
        var rendered = prepared.Select(p => (p.Row, Text: exporter.Render(p))).ToList();
        Console.WriteLine(FormattableString.Invariant($"the same items without the worker: read with their edits {prepare:F0} ms, rendered on one thread {prepareClock.Elapsed.TotalMilliseconds:F0} ms"));
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(rendered, new ParallelOptions { MaxDegreeOfParallelism = options.WriteParallelism, CancellationToken = ct },
            async (r, token) => await OutputFiles.WriteAsync(folder, r.Row.FileName, r.Text, token));
        OutputFiles.SyncFolder(folder);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static IEnumerable<AuditRecord> Events(int count, DateTimeOffset at)
    {
        var actor = new Actor("u-7f3a", "editor@newsroom.example", Permissions.Of([Roles.Editor])) { Ip = "203.0.113.24", RequestId = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
        for (var i = 0; i < count; i++)
        {
            var data = i % 3 == 0
                ? AuditRecord.SerializeData(new { file = $"/srv/feeds/2026/11/{i:D7}_{i:x16}.txt", state = "New" })
                : AuditRecord.SerializeData(new { changes = new object[] { new { field = "quality", before = i % 100, after = (i + 7) % 100 }, new { field = "topics", before = new[] { "AI", "Energy" }, after = new[] { "AI" } } }, note = (string?)null });
            yield return AuditLog.Record(actor, i % 3 == 0 ? AuditActions.ItemImported : AuditActions.ItemEdited, AuditTargets.Item, (i + 1).ToString(CultureInfo.InvariantCulture), data, at.AddTicks(i * 10));
        }
    }

    // The chain's cost where it is highest: many events in one COPY. What a writer pays (a COPY of
    // unsealed rows, AuditLog.CopyAsync), what the sealer pays afterwards (audit_seal() over them, in
    // the database), and the baseline: a plain COPY of the same rows with their chain computed
    // beforehand (the guard trigger off).
    private static async Task ChainedCopyAsync(string server, int m, CancellationToken ct)
    {
        var database = $"cms_bench_chain_{Stamp()}";
        try
        {
            var cs = await BenchSupport.CreateDatabaseAsync(server, database, ct);
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            var at = DateTimeOffset.UtcNow;
            var actor = new Actor("u-7f3a", "editor@newsroom.example", Permissions.Of([Roles.Editor]));
            var events = Enumerable.Range(0, m).Select(i => (i.ToString(CultureInfo.InvariantCulture), (object?)new { file = $"/srv/feeds/{i:D7}_{i:x16}.txt", state = "New" })).ToList();
            async Task<double> TimedAsync(Func<Task> work)
            {
                var clock = Stopwatch.StartNew();
                await using var tx = await conn.BeginTransactionAsync(ct);
                await work();
                await tx.CommitAsync(ct);
                return clock.Elapsed.TotalSeconds;
            }
            var written = await TimedAsync(() => AuditLog.CopyAsync(conn, actor, AuditActions.ItemImported, AuditTargets.Item, events, at, ct));
            var sealing = await TimedAsync(async () =>
            {
                await using var seal = new NpgsqlCommand("SELECT sealed FROM audit_seal(@n)", conn) { CommandTimeout = 0 };
                seal.Parameters.AddWithValue("n", m);
                await seal.ExecuteScalarAsync(ct);
            });
            // The same rows chained beforehand, off the clock, after the sealed head.
            long seq = m;
            var previous = (string)(await new NpgsqlCommand("SELECT hash FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)", conn).ExecuteScalarAsync(ct))!;
            var rows = AuditRows.Chain(events.Select(e => AuditLog.Record(actor, AuditActions.ItemImported, AuditTargets.Item, e.Item1,
                AuditRecord.SerializeData(e.Item2), at)), ref seq, ref previous);
            await AuditRows.SetUnsealedGuardAsync(conn, enabled: false, ct);
            var plain = await TimedAsync(() => AuditRows.CopyAsync(conn, rows, ct));
            await AuditRows.SetUnsealedGuardAsync(conn, enabled: true, ct);

            Console.WriteLine();
            Console.WriteLine("| audit events in one COPY | writer's COPY (unsealed) s | sealing them (audit_seal) s | plain COPY of the chained rows s | writer / plain | sealing / plain |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(FormattableString.Invariant($"| {m} | {written:F2} | {sealing:F2} | {plain:F2} | {written / plain:F2}x | {sealing / plain:F2}x |"));
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, database, CancellationToken.None);
        }
    }

    private static async Task VerifyAsync(string server, int count, CancellationToken ct)
    {
        var database = $"cms_bench_verify_{Stamp()}";
        try
        {
            var cs = await BenchSupport.CreateDatabaseAsync(server, database, ct);
            var clock = Stopwatch.StartNew();
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await AuditRows.SetUnsealedGuardAsync(conn, enabled: false, ct);
                long seq = 0;
                var previous = AuditChain.Genesis;
                var at = DateTimeOffset.UtcNow.AddDays(-30);
                foreach (var chunk in Events(count, at).Chunk(50_000))
                {
                    await AuditRows.CopyAsync(conn, AuditRows.Chain(chunk, ref seq, ref previous), ct);
                }
                await AuditRows.SetUnsealedGuardAsync(conn, enabled: true, ct);
                await new NpgsqlCommand("VACUUM ANALYZE audit_events", conn).ExecuteNonQueryAsync(ct);
            }
            Console.WriteLine($"generated and chained {count} events in {clock.Elapsed.TotalSeconds:F0} s");

            var read = await ReadOnlyAsync(cs, ct);
            using var host = CliHost.Build(cs);
            using var scope = host.Services.CreateScope();
            clock.Restart();
            var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(null, ct);
            var verify = clock.Elapsed.TotalSeconds;
            if (!result.Ok || result.Checked != count)
            {
                throw new InvalidOperationException($"verify failed: {result.FirstBad?.Reason} after {result.Checked}");
            }

            Console.WriteLine();
            Console.WriteLine("| events | read the rows only s | audit verify s | verify / read | events per s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            Console.WriteLine(FormattableString.Invariant($"| {count} | {read:F1} | {verify:F1} | {verify / read:F2}x | {count / verify:F0} |"));
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, database, CancellationToken.None);
        }
    }

    // The baseline for verify: the same query, every column read, nothing checked.
    private static async Task<double> ReadOnlyAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        var clock = Stopwatch.StartNew();
        await using var cmd = new NpgsqlCommand(
            "SELECT seq, id, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash FROM audit_events WHERE seq > 0 ORDER BY seq", conn);
        await using var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        long chars = 0;
        while (await reader.ReadAsync(ct))
        {
            reader.GetInt64(0);
            reader.GetInt64(1);
            reader.GetFieldValue<DateTimeOffset>(2);
            for (var c = 3; c <= 12; c++)
            {
                chars += reader.IsDBNull(c) ? 0 : reader.GetString(c).Length;
            }
        }
        return clock.Elapsed.TotalSeconds + (chars < 0 ? 1 : 0);
    }
}
