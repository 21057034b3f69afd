using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cms.Application;
using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Core.Stories;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench stories: story grouping measured four ways (docs/benchmarks.md, "Stories"):
// 1. pairwise precision and recall on the labelled corpus (StoryCorpusGenerator, seed 22), imported
//    through the real importer once per setting of the threshold sweep;
// 2. the similarity methods compared on the same pairs: our weighted terms, pg_trgm and
//    PostgreSQL full text, each at its own best threshold;
// 3. the import of N realistic story items with grouping off and on, same files, same run;
// 4. grouping one new item against a kept database of M stored items (--database, filled by COPY once), p95.
public static class StoryBench
{
    private const int LabelledSeed = 22;
    private const int LabelledStories = 700;
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2024-01-01T00:00:00Z", CultureInfo.InvariantCulture);
    private static readonly TimeSpan LabelledSpan = TimeSpan.FromDays(30);

    // The large corpora spread over 700 days, as the other benchmarks' RealisticItemGenerator does.
    private static readonly TimeSpan LongSpan = TimeSpan.FromDays(700);

    public static Command Command()
    {
        var importItems = new Option<int>("--import-items") { Description = "Items imported with grouping off and on (0 skips)", DefaultValueFactory = _ => 100_000 };
        var stored = new Option<int>("--stored") { Description = "Items the kept database holds for the latency measurement (0 skips)", DefaultValueFactory = _ => 1_000_000 };
        var probes = new Option<int>("--probes") { Description = "Items grouped one at a time against the stored ones", DefaultValueFactory = _ => 1_000 };
        var database = new Option<string>("--database") { Description = "The kept database of the latency measurement (filled once, kept for later runs)", DefaultValueFactory = _ => "cms_bench_stories" };
        var skipSweep = new Option<bool>("--skip-sweep") { Description = "Only the chosen settings, no sweep and no method comparison" };
        var analyze = new Option<int>("--analyze") { Description = "Only time StoryText.Analyze against the former analysis on N items of the import's corpus (no database)" };
        var command = new Command("stories", "Story grouping: precision and recall on the labelled set, the threshold sweep, import cost on/off, latency at scale.")
        {
            importItems, stored, probes, database, skipSweep, analyze,
        };
        command.SetAction(async (parse, ct) =>
        {
            Console.WriteLine($"load average at start: {LoadAverage()}");
            if (parse.GetValue(analyze) is > 0 and var items)
            {
                AnalyzeCost(items);
                Console.WriteLine($"load average at end: {LoadAverage()}");
                return BenchProgram.Ok;
            }
            var server = BenchSupport.ServerConnectionString();
            await LabelledAsync(server, !parse.GetValue(skipSweep), ct);
            if (parse.GetValue(importItems) is > 0 and var n)
            {
                await ImportCostAsync(server, n, ct);
            }
            if (parse.GetValue(stored) is > 0 and var m)
            {
                await LatencyAsync(server, parse.GetValue(database)!, m, parse.GetValue(probes), ct);
            }
            Console.WriteLine($"load average at end: {LoadAverage()}");
            return BenchProgram.Ok;
        });
        return command;
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static List<StoryCorpusGenerator.LabelledItem> Labelled() =>
        new StoryCorpusGenerator(LabelledSeed).Generate(LabelledStories, Start, LabelledSpan);

    private static async Task LabelledAsync(string server, bool sweep, CancellationToken ct)
    {
        var corpus = Labelled();
        var truth = corpus.ToDictionary(c => c.FileName, c => c.Story);
        var language = corpus.ToDictionary(c => c.FileName, c => c.Language);
        var wire = corpus.Where(c => c.WireCopy).Select(c => c.FileName).ToHashSet();
        Console.WriteLine();
        Console.WriteLine($"labelled set: {corpus.Count} items, {truth.Values.Distinct().Count()} stories ({corpus.GroupBy(c => c.Story).Count(g => g.Count() == 1)} told once), " +
            $"{corpus.Count(c => c.Language == "ru")} Russian items, {wire.Count} wire copies, {StoryScore.Of(truth, truth.ToDictionary(t => t.Key, t => (long)t.Value)).TruePairs} true pairs, over {LabelledSpan.TotalDays} days, " +
            $"{corpus.Average(c => Encoding.UTF8.GetByteCount(c.Text)) / 1024:F1} KiB each");

        var defaults = new StorySettings();
        // The last row: the chosen thresholds without the names-only path (StrongNames), to show what it adds.
        var grid = sweep
            ? (from s in new[] { 0.25, 0.30, 0.35, 0.40, 0.45 } from e in new[] { 0.6, 0.7, 0.8 } select (s, e, defaults.StrongNames)).ToList()
            : [(defaults.MinSimilarity, defaults.MinNameOverlap, defaults.StrongNames)];
        if (!grid.Contains((defaults.MinSimilarity, defaults.MinNameOverlap, defaults.StrongNames)))
        {
            grid.Add((defaults.MinSimilarity, defaults.MinNameOverlap, defaults.StrongNames));
        }
        if (sweep)
        {
            grid.Add((defaults.MinSimilarity, defaults.MinNameOverlap, 99));
        }
        var template = $"cms_bench_stories_tpl_{DateTime.UtcNow:HHmmss}";
        await BenchSupport.CreateDatabaseAsync(server, template, ct);
        NpgsqlConnection.ClearAllPools();
        Console.WriteLine();
        Console.WriteLine("| MinSimilarity | MinNameOverlap | StrongNames | precision | recall | F1 | stories formed | cross-language recall (pairs) | wire-copy recall (pairs) | import s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        string? chosenDb = null;
        try
        {
            foreach (var (similarity, names, strong) in grid)
            {
                var db = $"cms_bench_stories_{(int)(similarity * 100)}_{(int)(names * 100)}_{strong}";
                await PostgresAdmin.DropDatabaseAsync(server, db, ct);
                await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {db} TEMPLATE {template}", ct);
                var cs = new NpgsqlConnectionStringBuilder(server) { Database = db }.ConnectionString;
                var settings = new Dictionary<string, string?>
                {
                    ["Stories:MinSimilarity"] = similarity.ToString(CultureInfo.InvariantCulture),
                    ["Stories:MinNameOverlap"] = names.ToString(CultureInfo.InvariantCulture),
                    ["Stories:StrongNames"] = strong.ToString(CultureInfo.InvariantCulture),
                };
                var clock = Stopwatch.StartNew();
                await ImportAsync(cs, settings, corpus.Select(c => ImportSources.FromBytes(c.FileName, Encoding.UTF8.GetBytes(c.Text))), ct);
                var seconds = clock.Elapsed.TotalSeconds;
                var predicted = await StoryIdsAsync(cs, ct);
                var score = StoryScore.Of(truth, predicted);
                var cross = StoryScore.RecallWhere(truth, predicted, (a, b) => language[a] != language[b]);
                var copies = StoryScore.RecallWhere(truth, predicted, (a, b) => wire.Contains(a) || wire.Contains(b));
                var chosen = similarity == defaults.MinSimilarity && names == defaults.MinNameOverlap && strong == defaults.StrongNames;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {similarity:F2}{(chosen ? " (chosen)" : "")} | {names:F2} | {(strong > 50 ? "off" : strong.ToString(CultureInfo.InvariantCulture))} | {score.Precision:F3} | {score.Recall:F3} | {score.F1:F3} | {predicted.Values.Distinct().Count()} | {cross.Recall:F3} ({cross.Pairs}) | {copies.Recall:F3} ({copies.Pairs}) | {seconds:F1} |"));
                if (chosen)
                {
                    chosenDb = db;
                }
                else
                {
                    await BenchSupport.DropDatabaseAsync(server, db, ct);
                }
            }
            if (sweep && chosenDb is not null)
            {
                await CompareMethodsAsync(new NpgsqlConnectionStringBuilder(server) { Database = chosenDb }.ConnectionString, corpus, truth, ct);
            }
        }
        finally
        {
            if (chosenDb is not null)
            {
                await BenchSupport.DropDatabaseAsync(server, chosenDb, CancellationToken.None);
            }
            await BenchSupport.DropDatabaseAsync(server, template, CancellationToken.None);
        }
    }

    private static async Task<StoryGroupingProfile> ImportAsync(string cs, IReadOnlyDictionary<string, string?> settings, IEnumerable<ImportFile> files, CancellationToken ct)
    {
        using var host = CliHost.Build(cs, settings);
        using var scope = host.Services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), files, null, ct);
        if (!outcome.Succeeded || outcome.Value!.Rejected > 0)
        {
            throw new InvalidOperationException($"the import failed: {outcome.Result.Message} {outcome.Value?.Summary}");
        }
        return host.Services.GetRequiredService<StoryGrouping>().Profile;
    }

    private static async Task<Dictionary<string, long>> StoryIdsAsync(string cs, CancellationToken ct)
    {
        await using var db = TestPostgres.Context(cs);
        return await db.Items.AsNoTracking().ToDictionaryAsync(i => i.FileName, i => i.StoryId, ct);
    }

    // Pairwise classification of every pair of items from two providers within the window: each
    // method's score against the labels, at the threshold that gives it its best F1.
    private static async Task CompareMethodsAsync(string cs, List<StoryCorpusGenerator.LabelledItem> corpus, Dictionary<string, int> truth, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using (var ext = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_trgm", conn))
        {
            await ext.ExecuteNonQueryAsync(ct);
        }
        var settings = new StorySettings();
        var df = new Dictionary<int, long>();
        await using (var cmd = new NpgsqlCommand("SELECT term, items FROM story_term_counts", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                df[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        var documents = df[StoryTermCount.Documents];
        var rows = new List<(string A, string B, double TrgmTitle, double TrgmText, double Fts, string TitleA, string? ExcerptA, string TitleB, string? ExcerptB)>();
        var clock = Stopwatch.StartNew();
        // The full-text score is the Jaccard index of the two stored search vectors' lexemes.
        await using (var cmd = new NpgsqlCommand($"""
            SELECT a.file_name, b.file_name, similarity(a.title, b.title),
                   similarity(a.title || ' ' || coalesce(a.excerpt, ''), b.title || ' ' || coalesce(b.excerpt, '')),
                   (SELECT count(*) FROM unnest(tsvector_to_array(a.search_vector)) x WHERE x = ANY (tsvector_to_array(b.search_vector)))::float8
                     / NULLIF((SELECT count(*) FROM (SELECT unnest(tsvector_to_array(a.search_vector)) UNION SELECT unnest(tsvector_to_array(b.search_vector))) u), 0),
                   a.title, a.excerpt, b.title, b.excerpt
            FROM items a JOIN items b ON a.id < b.id AND a.provider_domain <> b.provider_domain
              AND b.published_at BETWEEN a.published_at - interval '{settings.Window.TotalHours} hours' AND a.published_at + interval '{settings.Window.TotalHours} hours'
            """, conn) { CommandTimeout = 3600 })
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetFloat(2), reader.GetFloat(3), reader.IsDBNull(4) ? 0 : reader.GetDouble(4),
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
            }
        }
        var sqlSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        double Idf(int t) => StorySimilarity.Idf(df.GetValueOrDefault(t, 1), documents);
        var analyzed = new Dictionary<string, StoryTerms>();
        foreach (var r in rows)
        {
            analyzed.TryAdd(r.A, StoryText.Analyze(r.TitleA, r.ExcerptA));
            analyzed.TryAdd(r.B, StoryText.Analyze(r.TitleB, r.ExcerptB));
        }
        var ours = rows.Select(r => StorySimilarity.Score(analyzed[r.A], analyzed[r.B], Idf, settings)).ToArray();
        var cosine = rows.Select(r => StorySimilarity.Cosine(analyzed[r.A], analyzed[r.B], Idf, settings.TitleWeight)).ToArray();
        var oursSeconds = clock.Elapsed.TotalSeconds;
        var same = rows.Select(r => truth[r.A] == truth[r.B]).ToArray();
        Console.WriteLine();
        Console.WriteLine($"similarity methods, pairwise on {rows.Count} pairs from two providers within {settings.Window.TotalHours} h ({same.Count(s => s)} of them one story), each at its best threshold:");
        Console.WriteLine("| method | best threshold | precision | recall | F1 |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        void Best(string name, double[] scores)
        {
            var best = (F1: -1.0, T: 0.0, P: 0.0, R: 0.0);
            for (var t = 0.05; t < 1.0; t += 0.025)
            {
                var predicted = scores.Select(s => s >= t).ToArray();
                var tp = predicted.Where((p, i) => p && same[i]).Count();
                var p = predicted.Count(x => x) is var n && n > 0 ? (double)tp / n : 1;
                var rc = (double)tp / Math.Max(1, same.Count(x => x));
                var f1 = p + rc == 0 ? 0 : 2 * p * rc / (p + rc);
                if (f1 > best.F1)
                {
                    best = (f1, t, p, rc);
                }
            }
            Console.WriteLine(FormattableString.Invariant($"| {name} | {best.T:F3} | {best.P:F3} | {best.R:F3} | {best.F1:F3} |"));
        }
        Best("weighted terms with the name check (chosen; StorySimilarity.Score)", ours);
        Best("weighted terms, cosine only", cosine);
        Best("pg_trgm similarity of the titles", rows.Select(r => r.TrgmTitle).ToArray());
        Best("pg_trgm similarity of title and excerpt", rows.Select(r => r.TrgmText).ToArray());
        Best("full text: Jaccard of the search vectors' lexemes", rows.Select(r => r.Fts).ToArray());
        Console.WriteLine(FormattableString.Invariant($"(SQL for the pg_trgm and full-text scores of all pairs: {sqlSeconds:F1} s; our analysis and scores of the same pairs in C#: {oursSeconds:F1} s)"));
    }

    // The same files imported twice into fresh databases: grouping off, then on.
    private static async Task ImportCostAsync(string server, int n, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("cms-bench-stories-").FullName;
        var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        try
        {
            var clock = Stopwatch.StartNew();
            var corpus = new StoryCorpusGenerator(LabelledSeed + 1, distinctSubjects: false).Generate(n, Start, LongSpan, n);
            long bytes = 0;
            foreach (var item in corpus)
            {
                bytes += Encoding.UTF8.GetByteCount(item.Text);
                await File.WriteAllTextAsync(Path.Combine(work, item.FileName), item.Text, ct);
            }
            corpus = null;
            Console.WriteLine();
            Console.WriteLine($"import: {n} story items ({bytes / 1024.0 / 1024.0:F0} MiB, {bytes / 1024.0 / n:F1} KiB each, over {LongSpan.TotalDays} days) generated in {clock.Elapsed.TotalSeconds:F0} s");
            var results = new List<(string Name, double Seconds)>();
            foreach (var (name, grouping) in new[] { ("off", false), ("on", true) })
            {
                var db = $"cms_bench_stories_import_{name}_{stamp}";
                var cs = await BenchSupport.CreateDatabaseAsync(server, db, ct);
                try
                {
                    var load = LoadAverage();
                    // The process's CPU beside the wall time: on 2 cores the grouping-off import
                    // already keeps both busy, so what grouping adds is CPU, wherever it runs.
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    await using var backends = new BackendCpu(db);
                    clock.Restart();
                    var profile = await ImportAsync(cs, new Dictionary<string, string?> { ["Stories:Grouping"] = grouping ? "true" : "false" }, ImportSources.FromPaths([work]), ct);
                    results.Add((name, clock.Elapsed.TotalSeconds));
                    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    var backendSeconds = await backends.StopAsync();
                    if (grouping)
                    {
                        foreach (var line in profile.Lines())
                        {
                            Console.WriteLine($"  {line}");
                        }
                    }
                    var stories = 0L;
                    await using (var conn = new NpgsqlConnection(cs))
                    {
                        await conn.OpenAsync(ct);
                        await using var cmd = new NpgsqlCommand("SELECT count(DISTINCT story_id) FROM items", conn);
                        stories = (long)(await cmd.ExecuteScalarAsync(ct))!;
                    }
                    Console.WriteLine(FormattableString.Invariant($"  grouping {name}: {clock.Elapsed.TotalSeconds:F1} s ({n / clock.Elapsed.TotalSeconds:F0} items/s), {stories} stories; this process's CPU {cpu.TotalSeconds:F1} s, its PostgreSQL backends' {backendSeconds.Sum():F1} s ({string.Join(", ", backendSeconds.Where(s => s >= 0.1).Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))}); load average before: {load}"));
                }
                finally
                {
                    await BenchSupport.DropDatabaseAsync(server, db, CancellationToken.None);
                }
            }
            Console.WriteLine(FormattableString.Invariant($"| items | grouping off s | grouping on s | on / off |"));
            Console.WriteLine("|---:|---:|---:|---:|");
            Console.WriteLine(FormattableString.Invariant($"| {n} | {results[0].Seconds:F1} | {results[1].Seconds:F1} | {results[1].Seconds / results[0].Seconds:F2}x |"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // StoryText.Analyze against the former analysis (StoryTextBefore), on one thread, the same
    // texts (those of the import's corpus), rounds alternating so that both see the same machine;
    // CPU time of the thread, which holds under load when wall time does not.
    private static void AnalyzeCost(int n)
    {
        var parser = Parser();
        var texts = new StoryCorpusGenerator(LabelledSeed + 1, distinctSubjects: false).Generate(n, Start, LongSpan, n)
            .Select(c => parser.Parse(c.FileName, Encoding.UTF8.GetBytes(c.Text)).Item!.Parsed).Select(p => (p.Title, p.Excerpt)).ToArray();
        var differ = 0;
        foreach (var (title, excerpt) in texts)
        {
            var (a, b) = (StoryTextBefore.Analyze(title, excerpt), StoryText.Analyze(title, excerpt));
            differ += a.SimHash == b.SimHash && a.Title.SequenceEqual(b.Title) && a.All.SequenceEqual(b.All) && a.Names.SequenceEqual(b.Names) && a.Numbers.SequenceEqual(b.Numbers) ? 0 : 1;
        }
        Console.WriteLine();
        Console.WriteLine($"analyze: {texts.Length} items of the import's corpus, {texts.Average(t => t.Title.Length + (t.Excerpt?.Length ?? 0)):F0} characters of title and excerpt each; items whose terms differ: {differ}");
        Console.WriteLine("| round | before µs/item (CPU) | after µs/item (CPU) | after / before | before allocated B/item | after allocated B/item |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        for (var round = 1; round <= 3; round++)
        {
            var (beforeCpu, beforeBytes) = Time(texts, StoryTextBefore.Analyze);
            var (afterCpu, afterBytes) = Time(texts, StoryText.Analyze);
            Console.WriteLine(FormattableString.Invariant(
                $"| {round} | {beforeCpu:F1} | {afterCpu:F1} | {afterCpu / beforeCpu:F2}x | {beforeBytes:F0} | {afterBytes:F0} |"));
        }
    }

    private static (double MicrosecondsPerItem, double BytesPerItem) Time((string Title, string? Excerpt)[] texts, Func<string?, string?, StoryTerms> analyze)
    {
        var sink = 0L;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpu.Now();
        foreach (var (title, excerpt) in texts)
        {
            sink += analyze(title, excerpt).All.Length;
        }
        var seconds = ThreadCpu.Now() - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        GC.KeepAlive(sink);
        return (seconds * 1e6 / texts.Length, (double)bytes / texts.Length);
    }

    private const int FillChunk = 20_000;

    // Tops the kept database up to m story items (FillAsync), then groups each probe alone, in a
    // transaction rolled back, as an import of one file would.
    private static async Task LatencyAsync(string server, string kept, int m, int probes, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = kept }.ConnectionString;
        await QueueBench.EnsureDatabaseAsync(server, kept, cs, ct);
        long have;
        await using (var db = TestPostgres.Context(cs))
        {
            have = await db.Items.LongCountAsync(ct);
        }
        Console.WriteLine();
        if (have < m)
        {
            Console.WriteLine($"{kept} holds {have} items; writing {m - have} more story items by COPY; load average {LoadAverage()}");
            await FillAsync(cs, have, m, ct);
            have = m;
        }
        using var host = CliHost.Build(cs);
        var grouping = host.Services.GetRequiredService<StoryGrouping>();
        var probeItems = new StoryCorpusGenerator(999, distinctSubjects: false).Generate(probes, Start, LongSpan, probes);
        var parser = Parser();
        var latencies = new List<double>();
        var baseline = new List<double>();
        var joined = 0;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            var warmup = Math.Min(100, probes / 10);
            for (var i = 0; i < probeItems.Count; i++)
            {
                var prepared = parser.Parse(probeItems[i].FileName, Encoding.UTF8.GetBytes(probeItems[i].Text)).Item!;
                var item = ItemRows.NewItem(0, prepared, DateTimeOffset.UtcNow);
                await using var tx = await conn.BeginTransactionAsync(ct);
                var start = Stopwatch.GetTimestamp();
                await grouping.AssignAsync(conn, [item], ct);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                await tx.RollbackAsync(ct);
                if (i >= warmup)
                {
                    latencies.Add(ms);
                }
                // The baseline, same connection, same moment: a transaction of five bare round trips
                // (grouping one item is five statements), so the machine's queueing shows apart.
                await using (var btx = await conn.BeginTransactionAsync(ct))
                {
                    var bstart = Stopwatch.GetTimestamp();
                    for (var r = 0; r < 5; r++)
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", conn, btx);
                        await ping.ExecuteScalarAsync(ct);
                    }
                    var bms = Stopwatch.GetElapsedTime(bstart).TotalMilliseconds;
                    await btx.RollbackAsync(ct);
                    if (i >= warmup)
                    {
                        baseline.Add(bms);
                    }
                }
                var storyIsNew = await IsNewStoryAsync(conn, item.StoryId, ct);
                joined += storyIsNew ? 0 : 1;
            }
        }
        latencies.Sort();
        baseline.Sort();
        static double Of(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        double At(double p) => Of(latencies, p);
        Console.WriteLine(FormattableString.Invariant(
            $"grouping one item against {Math.Max(have, m)} stored items ({latencies.Count} probes after {probes - latencies.Count} warm-up; {joined} of {probes} joined a story): p50 {At(0.5):F2} ms, p95 {At(0.95):F2} ms, p99 {At(0.99):F2} ms, max {latencies[^1]:F2} ms; load average {LoadAverage()}"));
        Console.WriteLine(FormattableString.Invariant(
            $"baseline, five bare round trips in a transaction rolled back, same connection, after each probe: p50 {Of(baseline, 0.5):F2} ms, p95 {Of(baseline, 0.95):F2} ms, p99 {Of(baseline, 0.99):F2} ms; p95 grouping / baseline {At(0.95) / Of(baseline, 0.95):F1}x"));
    }

    private static ImportParser Parser() =>
        new(new Cms.Core.Items.ItemParser(new Cms.Core.FrontMatter.YamlFrontMatterReader()), new Cms.Core.FrontMatter.FrontMatterOptions(), new ImportOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger<ImportParser>.Instance);

    // A million items through the importer took longer than a session; this writes the same rows
    // (the items table only: related links and topics play no part in grouping) by COPY, chunk by
    // chunk over the long span: parsed and analysed in parallel, keyed with the term counts of all
    // items so far, as the import keys them, each item in a story of its own (grouping among the
    // stored items changes nothing a probe's search reads, only which story it joins). The term
    // counts are written with each chunk, so a fill stopped half way resumes where it stopped.
    // The bench store leaves out what grouping never reads and COPY spent most of its time on:
    // the queue's indexes and the two generated search vectors (docs/benchmarks.md, "Stories").
    private static async Task FillAsync(string cs, long have, int m, CancellationToken ct)
    {
        var parser = Parser();
        var settings = new StorySettings();
        var df = new Dictionary<int, long>();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await ExecuteAsync(conn, """
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT indexname FROM pg_indexes WHERE tablename = 'items'
                           AND indexname NOT IN ('pk_items', 'ix_items_story_id', 'ix_items_original_url') LOOP
                    EXECUTE format('DROP INDEX %I', r.indexname);
                  END LOOP;
                  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'search_vector' AND is_generated = 'ALWAYS') THEN
                    ALTER TABLE items ALTER COLUMN search_vector DROP EXPRESSION;
                  END IF;
                  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'provider_search' AND is_generated = 'ALWAYS') THEN
                    ALTER TABLE items ALTER COLUMN provider_search DROP EXPRESSION;
                  END IF;
                  -- Since SearchVectorSeal a trigger keeps the vector; this store's fill does without it.
                  DROP TRIGGER IF EXISTS items_search_vector_insert ON items;
                  DROP TRIGGER IF EXISTS items_search_vector_update ON items;
                END $$
                """, ct);
            // Counts that do not match the stored items (a fill stopped before counts were kept
            // per chunk) are counted again from the items' kept terms (the All part of each packing).
            await ExecuteAsync(conn, """
                DO $$ BEGIN
                  IF coalesce((SELECT items FROM story_term_counts WHERE term = 0), 0) <> (SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL) THEN
                    DELETE FROM story_term_counts;
                    INSERT INTO story_term_counts (term, items)
                      SELECT t, count(*) FROM items, unnest(story_term_ids[4 + story_term_ids[1] : cardinality(story_term_ids) - story_term_ids[2] - story_term_ids[3]]) t
                      WHERE story_term_ids IS NOT NULL GROUP BY t;
                    INSERT INTO story_term_counts (term, items) SELECT 0, count(*) FROM items WHERE story_term_ids IS NOT NULL;
                  END IF;
                END $$
                """, ct);
            await using var cmd = new NpgsqlCommand("SELECT term, items FROM story_term_counts", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                df[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        var clock = Stopwatch.StartNew();
        var chunk = (int)(have / FillChunk);
        while (have < m)
        {
            var size = (int)Math.Min(FillChunk, m - have);
            var generated = new StoryCorpusGenerator(1000 + chunk, distinctSubjects: false).Generate(size, Start, LongSpan, size);
            var items = new Item[generated.Count];
            var terms = new StoryTerms[generated.Count];
            var now = DateTimeOffset.UtcNow;
            Parallel.For(0, generated.Count, i =>
            {
                var prepared = parser.Parse($"fill{chunk:D3}_{generated[i].FileName}", Encoding.UTF8.GetBytes(generated[i].Text)).Item!;
                items[i] = ItemRows.NewItem(0, prepared, now);
                terms[i] = StoryText.Analyze(items[i].Title, items[i].Excerpt);
            });
            var added = new Dictionary<int, long> { [StoryTermCount.Documents] = items.Length };
            foreach (var t in terms.SelectMany(t => t.All))
            {
                added[t] = added.GetValueOrDefault(t) + 1;
            }
            foreach (var (t, n) in added)
            {
                df[t] = df.GetValueOrDefault(t) + n;
            }
            var documents = df[StoryTermCount.Documents];
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var tx = await conn.BeginTransactionAsync(ct);
                var ids = await ItemCopy.ReserveIdsAsync(conn, items.Length, ct);
                var stories = await StoryGrouping.ReserveStoryIdsAsync(conn, items.Length, ct);
                for (var i = 0; i < items.Length; i++)
                {
                    var at = StoryGrouping.When(items[i]);
                    items[i].Id = ids[i];
                    items[i].StoryId = stories[i];
                    items[i].StorySimHash = unchecked((long)terms[i].SimHash);
                    items[i].StoryKeys = StoryKeys.Stored(terms[i], StoryKeys.KeyTerms(terms[i], t => df.GetValueOrDefault(t, 1), documents, settings), at);
                    items[i].StoryTermIds = terms[i].Pack();
                }
                await ItemCopy.WriteItemsAsync(conn, items, "items", ct);
                await StoryGrouping.WriteKeysAsync(conn, items, ct);
                await using (var counts = new NpgsqlCommand("""
                    INSERT INTO story_term_counts (term, items) SELECT * FROM unnest(@terms, @counts)
                    ON CONFLICT (term) DO UPDATE SET items = story_term_counts.items + excluded.items
                    """, conn))
                {
                    counts.Parameters.AddWithValue("terms", added.Keys.ToArray());
                    counts.Parameters.AddWithValue("counts", added.Values.ToArray());
                    await counts.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
            }
            have += size;
            chunk++;
            Console.WriteLine(FormattableString.Invariant($"  {have} in {clock.Elapsed.TotalSeconds:F0} s; load average {LoadAverage()}"));
        }
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await ExecuteAsync(conn, "VACUUM ANALYZE items", ct);
            await ExecuteAsync(conn, "VACUUM ANALYZE story_term_counts", ct);
        }
        Console.WriteLine(FormattableString.Invariant($"filled in {clock.Elapsed.TotalSeconds:F0} s; load average {LoadAverage()}"));
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 3600 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> IsNewStoryAsync(NpgsqlConnection conn, long storyId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT NOT EXISTS (SELECT 1 FROM items WHERE story_id = @s)", conn);
        cmd.Parameters.AddWithValue("s", storyId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
