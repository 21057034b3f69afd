using System.Diagnostics;
using System.Globalization;
using Cms.Application.Queue;
using Cms.Data;
using Cms.Testing;
using Npgsql;

namespace Cms.Bench;

// `./cms bench queue --folding`: what accent folding (the *_folded configurations, unaccent before
// each stemmer; migration EditorDesk) costs against the configurations before it (english, russian,
// simple), in the same run on the same rows. The bench database gets a second stored vector built
// the old way, with the same GIN index and statistics, for the run only (dropped afterwards). Each
// search is the shape of the queue's first page (newest first, 51 rows) plus a count read capped
// at 1,001 rows, one word one condition as QueueSearch builds it; the two forms alternate, call by
// call, so both see the same machine load. The write side (every import computes the vector) is
// the vector of the same 5,000 items computed both ways, alternating.
public static partial class QueueBench
{
    private const string PlainColumn = "bench_plain_vector";

    private static string Vector(string english, string russian, string simple) =>
        $"to_tsvector('{english}', coalesce(title, '') || ' ' || coalesce(excerpt, ''))"
        + $" || to_tsvector('{russian}', coalesce(title, '') || ' ' || coalesce(excerpt, ''))"
        + $" || to_tsvector('{simple}', coalesce(title, '') || ' ' || coalesce(excerpt, ''))";

    private static readonly string PlainVectorSql = Vector("english", "russian", "simple");

    private sealed record SearchForm(string Name, string Column, string English, string Russian, string Simple);

    private static readonly SearchForm Folded = new("folded", "search_vector", "english_folded", "russian_folded", "simple_folded");
    private static readonly SearchForm Plain = new("plain", PlainColumn, "english", "russian", "simple");

    private static async Task FoldingAsync(string cs, int requests, CancellationToken ct)
    {
        await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { CommandTimeout = 3600 }.ConnectionString);
        var setup = Stopwatch.StartNew();
        await ExecAsync(data, $"""
            ALTER TABLE items ADD COLUMN IF NOT EXISTS {PlainColumn} tsvector GENERATED ALWAYS AS ({PlainVectorSql}) STORED;
            CREATE INDEX IF NOT EXISTS ix_bench_plain_vector ON items USING gin ({PlainColumn});
            ALTER TABLE items ALTER COLUMN {PlainColumn} SET STATISTICS 3000;
            ANALYZE items (search_vector, {PlainColumn});
            """, ct);
        Console.WriteLine(FormattableString.Invariant($"old-style vector column, GIN index and statistics built in {setup.Elapsed.TotalSeconds:F0} s; load {Load()}"));
        try
        {
            var surname = RealisticItemGenerator.Surname(1234);
            string[] searches = [surname, "market", "энерг", "cafe", "sao paulo"];
            Console.WriteLine();
            Console.WriteLine($"{requests} calls of each form per search, alternating, one connection at a time");
            Console.WriteLine("| search | rows (folded / plain) | folded p50 ms | folded p95 ms | plain p50 ms | plain p95 ms | folded p95 / plain p95 | load average |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
            foreach (var text in searches)
            {
                var folded = new List<double>();
                var plain = new List<double>();
                var rows = (await SearchAsync(data, Folded, text, ct), await SearchAsync(data, Plain, text, ct));
                for (var i = 0; i < requests; i++)
                {
                    var first = i % 2 == 0;
                    (first ? folded : plain).Add(await TimeAsync(() => SearchAsync(data, first ? Folded : Plain, text, ct)));
                    (first ? plain : folded).Add(await TimeAsync(() => SearchAsync(data, first ? Plain : Folded, text, ct)));
                }
                Console.WriteLine(FormattableString.Invariant(
                    $"| \"{text}\" | {rows.Item1} / {rows.Item2} | {At(folded, 0.5):F1} | {At(folded, 0.95):F1} | {At(plain, 0.5):F1} | {At(plain, 0.95):F1} | {At(folded, 0.95) / At(plain, 0.95):F2}x | {Load()} |"));
            }

            // The write side: the vector of 5,000 stored items, computed both ways, alternating.
            var foldedWrite = new List<double>();
            var plainWrite = new List<double>();
            var foldedVector = ItemVectorSql();
            for (var i = 0; i < 10; i++)
            {
                foldedWrite.Add(await TimeAsync(() => VectorsAsync(data, foldedVector, ct)));
                plainWrite.Add(await TimeAsync(() => VectorsAsync(data, PlainVectorSql, ct)));
            }
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant(
                $"computing the search vector of 5,000 items (10 rounds, median): folded (with the Arabic part) {At(foldedWrite, 0.5):F0} ms, plain {At(plainWrite, 0.5):F0} ms, {At(foldedWrite, 0.5) / At(plainWrite, 0.5):F2}x; load {Load()}"));
        }
        finally
        {
            await ExecAsync(data, $"DROP INDEX IF EXISTS ix_bench_plain_vector; ALTER TABLE items DROP COLUMN IF EXISTS {PlainColumn};", CancellationToken.None);
        }
    }

    private static string ItemVectorSql() => Cms.Data.Configurations.ItemConfiguration.SearchVectorSql;

    // The queue's first page and a capped count for one search, as QueueSearch words it.
    private static async Task<int> SearchAsync(NpgsqlDataSource data, SearchForm form, string text, CancellationToken ct)
    {
        var words = QueueSearch.Words(text);
        var conditions = string.Join(" AND ", words.Select((_, i) =>
            $"{form.Column} @@ (to_tsquery('{form.English}', ${i + 1}) || to_tsquery('{form.Russian}', ${i + 1}) || to_tsquery('{form.Simple}', ${i + 1}))"));
        var where = $"{ItemQueue.Sql} AND {conditions}";
        await using var batch = data.CreateBatch();
        batch.BatchCommands.Add(Command($"SELECT id FROM items WHERE {where} ORDER BY published_at DESC, id DESC LIMIT 51", words));
        batch.BatchCommands.Add(Command($"SELECT count(*) FROM (SELECT 1 FROM items WHERE {where} LIMIT 1001) s", words));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return (int)reader.GetInt64(0);
    }

    private static NpgsqlBatchCommand Command(string sql, List<string> words)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < words.Count; i++)
        {
            var term = i == words.Count - 1 && words[i].Length >= QueueSearch.MinPrefixLength ? words[i] + ":*" : words[i];
            command.Parameters.Add(new NpgsqlParameter { Value = term });
        }
        return command;
    }

    private static async Task VectorsAsync(NpgsqlDataSource data, string vectorSql, CancellationToken ct)
    {
        await using var command = data.CreateCommand($"SELECT sum(length({vectorSql})) FROM (SELECT title, excerpt FROM items ORDER BY id LIMIT 5000) s");
        await command.ExecuteScalarAsync(ct);
    }

    private static async Task ExecAsync(NpgsqlDataSource data, string sql, CancellationToken ct)
    {
        await using var command = data.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        await call();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double At(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)];
    }

    private static string Load() => File.Exists("/proc/loadavg")
        ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
        : "unknown";
}
