using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cms.Core.Items;
using Cms.Web.Importing;
using CsvHelper;
using Npgsql;

namespace Cms.Web.Cli;

// ./cms bench import --items N: generates N files, imports them into a fresh database, and loads
// the same rows with PostgreSQL's own COPY into a second fresh database with the same tables and
// indexes (rows prepared as CSV beforehand, so the baseline is pure COPY). Prints both and the ratio.
public static class ImportBench
{
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
                return CmsCli.UsageOrInfrastructure;
            }
            await RunAsync(n, ct);
            return CmsCli.Ok;
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

            clock.Restart();
            var parser = new ItemParser(new Cms.Core.FrontMatter.YamlFrontMatterReader());
            foreach (var path in Directory.EnumerateFiles(corpus))
            {
                parser.Parse(path, await File.ReadAllBytesAsync(path, ct));
            }
            Console.WriteLine($"read and parse only (no database): {clock.Elapsed.TotalSeconds:F1} s");

            var importCs = await BenchSupport.CreateDatabaseAsync(server, importDb, ct);
            var rssBefore = BenchSupport.PeakRssMiB();
            clock.Restart();
            ImportReport report;
            using (var host = CliHost.Build(importCs))
            using (var scope = host.Services.CreateScope())
            {
                report = await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync([corpus], "bench", null, ct);
            }
            var importSeconds = clock.Elapsed.TotalSeconds;
            var peak = BenchSupport.PeakRssMiB();
            Console.WriteLine($"import: {report.Summary}");

            var copyCs = await BenchSupport.CreateDatabaseAsync(server, copyDb, ct);
            var csv = await PrepareCsvAsync(corpus, work, ct);
            clock.Restart();
            await CopyAsync(copyCs, csv, ct);
            var copySeconds = clock.Elapsed.TotalSeconds;

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

    private sealed record CsvFiles(string Items, string Links, string Topics, string ItemTopics, string Audit);

    // The rows the importer writes, as CSV files; built before the clock starts.
    private static async Task<CsvFiles> PrepareCsvAsync(string corpus, string work, CancellationToken ct)
    {
        var files = new CsvFiles(Path.Combine(work, "items.csv"), Path.Combine(work, "links.csv"), Path.Combine(work, "topics.csv"),
            Path.Combine(work, "item_topics.csv"), Path.Combine(work, "audit.csv"));
        var parser = new ItemParser(new Cms.Core.FrontMatter.YamlFrontMatterReader());
        var topicIds = new Dictionary<string, int>();
        await using var items = CsvWriter.Create(new StreamWriter(files.Items), new CsvWriterOptions(), false);
        await using var links = CsvWriter.Create(new StreamWriter(files.Links), new CsvWriterOptions(), false);
        await using var itemTopics = CsvWriter.Create(new StreamWriter(files.ItemTopics), new CsvWriterOptions(), false);
        await using var audit = CsvWriter.Create(new StreamWriter(files.Audit), new CsvWriterOptions(), false);
        var now = DateTimeOffset.UtcNow.ToString("O");
        long id = 0;
        foreach (var path in Directory.EnumerateFiles(corpus))
        {
            var p = parser.Parse(path, await File.ReadAllBytesAsync(path, ct));
            id++;
            await Row(items, ct, id, p.NormalizedUrl, Path.GetFileName(path), p.Title, p.Excerpt, p.Category, p.Type, p.ProviderName, p.ProviderDomain,
                p.PublishedAt?.ToString("O"), p.WebUrl, p.Quality, p.Heat, "New", p.Document.Yaml, ItemImporter.Hash(p.Document.Yaml),
                JsonSerializer.Serialize(p.Images), now, now, false);
            foreach (var r in p.Related)
            {
                await Row(links, ct, id, r.Position, r.Title, r.Excerpt, r.Url, r.IsSafeUrl, r.ProviderName, r.ProviderDomain, r.PublishedAt?.ToString("O"), r.IsSafeUrl ? "Pending" : "Rejected", r.IsSafeUrl ? null : ItemImporter.UnsafeUrlReason);
            }
            var position = 0;
            foreach (var topic in p.Topics)
            {
                if (!topicIds.TryGetValue(TopicNames.Normalize(topic), out var topicId))
                {
                    topicId = topicIds[TopicNames.Normalize(topic)] = topicIds.Count + 1;
                }
                await Row(itemTopics, ct, id, topicId, position++);
            }
            await Row(audit, ct, now, "bench", "item.imported", "item", id.ToString(CultureInfo.InvariantCulture), JsonSerializer.Serialize(new { file = path }));
        }
        await using var topics = CsvWriter.Create(new StreamWriter(files.Topics), new CsvWriterOptions(), false);
        foreach (var (name, topicId) in topicIds)
        {
            await Row(topics, ct, topicId, name, name, true, now);
        }
        return files;
    }

    private static ValueTask Row(CsvWriter writer, CancellationToken ct, params object?[] fields) =>
        writer.WriteRecordAsync(fields.Select(f => f switch
        {
            null => null!,
            bool b => b ? "true" : "false",
            IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
            _ => f.ToString()!,
        }).ToArray(), ct);

    private static async Task CopyAsync(string cs, CsvFiles csv, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        (string Table, string File)[] loads =
        [
            ("topics (id, name, normalized_name, from_import, created_at)", csv.Topics),
            ("items (id, original_url, file_name, title, excerpt, category, type, provider_name, provider_domain, published_at, web_url, quality, heat, state, source_yaml, source_hash, images_json, imported_at, updated_at, source_changed)", csv.Items),
            ("related_links (item_id, position, title, excerpt, url, is_safe_url, provider_name, provider_domain, published_at, decision, reason)", csv.Links),
            ("item_topics (item_id, topic_id, position)", csv.ItemTopics),
            ("audit_events (at, actor, action, entity_type, entity_id, data)", csv.Audit),
        ];
        foreach (var (table, file) in loads)
        {
            await using var writer = await conn.BeginTextImportAsync($"COPY {table} FROM STDIN (FORMAT csv)", ct);
            using var reader = new StreamReader(file);
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, ct)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        await tx.CommitAsync(ct);
    }
}
