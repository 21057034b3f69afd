using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Importing;
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

// ./cms bench import --items N: generates N files, imports them into a fresh database, and writes
// the same rows with PostgreSQL's binary COPY into a second fresh database with the same schema
// (rows mapped by the importer's own ItemRows and written by its ItemCopy; only the COPY calls
// are timed, so the baseline is pure COPY). Prints both and the ratio.
public static class ImportBench
{
    private const int BaselineBatch = 5_000;

    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "How many items to generate", DefaultValueFactory = _ => 10_000 };
        var command = new Command("import", "Time the import of N generated items against a plain COPY of the same rows.") { items };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(items);
            if (n <= 0)
            {
                Console.Error.WriteLine("--items must be positive");
                return BenchProgram.Usage;
            }
            await RunAsync(n, ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    private static async Task RunAsync(int n, CancellationToken ct)
    {
        var server = BenchSupport.ServerConnectionString();
        var work = Directory.CreateTempSubdirectory("cms-bench-import-").FullName;
        var corpus = Directory.CreateDirectory(Path.Combine(work, "items")).FullName;
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        var importDb = $"cms_bench_import_{stamp}";
        var copyDb = $"cms_bench_copy_{stamp}";
        try
        {
            var clock = Stopwatch.StartNew();
            var generator = new ItemFileGenerator(seed: 42);
            long bytes = 0;
            for (var i = 0; i < n; i++)
            {
                var text = generator.Next(i);
                bytes += Encoding.UTF8.GetByteCount(text);
                await File.WriteAllTextAsync(Path.Combine(corpus, ItemFileGenerator.FileName(i, text)), text, ct);
            }
            Console.WriteLine($"generated {n} items ({bytes / 1024.0 / 1024.0:F1} MiB) in {clock.Elapsed.TotalSeconds:F1} s");

            var parser = new ImportParser(new ItemParser(new YamlFrontMatterReader()), new FrontMatterOptions(), new ImportOptions(), NullLogger<ImportParser>.Instance);
            clock.Restart();
            foreach (var path in Directory.EnumerateFiles(corpus))
            {
                parser.Parse(path, await File.ReadAllBytesAsync(path, ct));
            }
            Console.WriteLine($"read and parse only (no database): {clock.Elapsed.TotalSeconds:F1} s");

            var importCs = await BenchSupport.CreateDatabaseAsync(server, importDb, ct);
            var rssBefore = BenchSupport.PeakRssMiB();
            clock.Restart();
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), [corpus], null, ct), importCs);
            var importSeconds = clock.Elapsed.TotalSeconds;
            var peak = BenchSupport.PeakRssMiB();
            Console.WriteLine($"import: {outcome.Value!.Summary}");

            var copyCs = await BenchSupport.CreateDatabaseAsync(server, copyDb, ct);
            var copySeconds = await CopyBaselineAsync(copyCs, corpus, parser, ct);

            Console.WriteLine();
            Console.WriteLine($"| items | import s | items/s | COPY s | import / COPY | peak RSS MiB (before import) |");
            Console.WriteLine($"|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(FormattableString.Invariant(
                $"| {n} | {importSeconds:F1} | {n / importSeconds:F0} | {copySeconds:F1} | {importSeconds / copySeconds:F2}x | {peak:F0} ({rssBefore:F0}) |"));
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, importDb, CancellationToken.None);
            await BenchSupport.DropDatabaseAsync(server, copyDb, CancellationToken.None);
            Directory.Delete(work, recursive: true);
        }
    }

    // The same rows the importer stores, through the same mapping and COPY writer, in one
    // transaction; reading, parsing and mapping happen off the clock.
    private static async Task<double> CopyBaselineAsync(string cs, string corpus, ImportParser parser, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var topics = scope.ServiceProvider.GetRequiredService<TopicVocabulary>();
        var actor = Actor.System("bench");
        await db.Database.OpenConnectionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
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
            var topicIds = await topics.EnsureFromImportAsync(actor, prepared.SelectMany(p => p.Parsed.Topics), ct);
            await db.SaveChangesAsync(ct);
            var now = DateTimeOffset.UtcNow;
            var items = new List<Item>(prepared.Count);
            foreach (var p in prepared)
            {
                var item = ItemRows.NewItem(nextId, p, now);
                item.Topics.AddRange(ItemRows.Topics(nextId++, p.Parsed.Topics, topicIds));
                items.Add(item);
            }
            clock.Start();
            await ItemCopy.WriteAsync(conn, items, ct);
            await AuditLog.CopyAsync(conn, actor, AuditActions.ItemImported, AuditTargets.Item,
                items.Select(i => (i.Id.ToString(CultureInfo.InvariantCulture), (object?)new { file = i.FileName })), now, ct);
            clock.Stop();
        }
        clock.Start();
        await tx.CommitAsync(ct);
        clock.Stop();
        return clock.Elapsed.TotalSeconds;
    }
}
