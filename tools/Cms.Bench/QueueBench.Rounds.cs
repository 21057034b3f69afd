using System.Globalization;

namespace Cms.Bench;

// The ratio of the page's p95 to its SQL's p95 from one measurement of each moved by ±0.3 between
// runs of the same code (docs/benchmarks.md, the lead's figures of 2026-12-07 02:00): a p95 of 800
// requests at 8 clients is a few slow requests, and the page and its baseline ran a minute apart on
// a machine whose load drifts. So each view also runs in rounds, page then SQL, same clients, warm,
// each round's ratio printed; the median and spread of the rounds, and the ratio of the p95s of all
// the rounds' requests pooled, are what a 5-10% change has to move (QUEUE9).
public static partial class QueueBench
{
    private static async Task RoundsAsync(IReadOnlyList<(string Name, Func<Task> Page, Func<Task> Sql)> views, int rounds, int requests,
        Func<Func<Task>, Task<(Figures Figures, CpuSplit Cpu, AppGc.PerPage Gc)>> timed, CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($"Rounds: page then its SQL, {requests} requests each, {rounds} rounds a view, alternating (ms; CPU ms a request)");
        Console.WriteLine("| view | round | page p50 | page p95 | SQL p50 | SQL p95 | page p95 / SQL p95 | page p50 / SQL p50 | app CPU a page | backends CPU page / SQL | bench CPU page / SQL | app's GCs a 1,000 pages, gen0 / 1 / 2 | app's GC pause ms a page | app KiB a page | pages a pause fell into | page p95 less the pauses / SQL p95 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|");
        var summaries = new List<string>();
        foreach (var (name, page, sql) in views)
        {
            var measured = new List<((Figures F, CpuSplit C, AppGc.PerPage G) Page, (Figures F, CpuSplit C, AppGc.PerPage G) Sql)>();
            for (var round = 1; round <= rounds; round++)
            {
                var p = await timed(page);
                var q = await timed(sql);
                measured.Add((p, q));
                Console.WriteLine(Invariant(
                    $"| {name} | {round} | {p.Figures.P50:F1} | {p.Figures.P95:F1} | {q.Figures.P50:F1} | {q.Figures.P95:F1} | {p.Figures.P95 / q.Figures.P95:F2}x | {p.Figures.P50 / q.Figures.P50:F2}x | {p.Cpu.App:F3} | {p.Cpu.Backends:F3} / {q.Cpu.Backends:F3} | {p.Cpu.Bench:F3} / {q.Cpu.Bench:F3} | {p.Gc.Gcs} | {p.Gc.PauseMs:F3} | {p.Gc.AllocatedKiB:F1} | {100 * p.Gc.PausedShare:F1}% | {p.Gc.P95LessPauses:F1} / {q.Figures.P95:F1} = {p.Gc.P95LessPauses / q.Figures.P95:F2}x |"));
            }
            var pooledPage = Figures.Of([.. measured.SelectMany(m => m.Page.F.Latencies).Order()], 0);
            var pooledSql = Figures.Of([.. measured.SelectMany(m => m.Sql.F.Latencies).Order()], 0);
            summaries.Add(Invariant(
                $"| {name} | {Spread(measured.Select(m => m.Page.F.P95 / m.Sql.F.P95), "x")} | {pooledPage.P95 / pooledSql.P95:F2}x ({pooledPage.P95:F1} / {pooledSql.P95:F1}) | {Spread(measured.Select(m => m.Page.F.P50 / m.Sql.F.P50), "x")} | {Spread(measured.Select(m => m.Page.C.App), "")} | {Spread(measured.Select(m => m.Page.C.Backends), "")} / {Spread(measured.Select(m => m.Sql.C.Backends), "")} | {Spread(measured.Select(m => m.Page.G.Gen0 + m.Page.G.Gen1 + m.Page.G.Gen2), "")} | {Spread(measured.Select(m => m.Page.G.PauseMs), "")} | {Spread(measured.Select(m => m.Page.G.AllocatedKiB), "")} | {Spread(measured.Select(m => 100 * m.Page.G.PausedShare), "%")} | {Spread(measured.Select(m => m.Page.G.P95LessPauses / m.Sql.F.P95), "x")} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"Over the rounds: median (lowest-highest); pooled: the p95 of all {rounds * requests} page requests over the p95 of all SQL requests");
        Console.WriteLine("| view | page p95 / SQL p95 | pooled page p95 / SQL p95 (ms) | page p50 / SQL p50 | app CPU ms a page | backends CPU ms page / SQL | app's GCs a 1,000 pages | app's GC pause ms a page | app KiB a page | pages a pause fell into | page p95 less the pauses / SQL p95 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        summaries.ForEach(Console.WriteLine);
    }

    private static string Spread(IEnumerable<double> values, string unit)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        var median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        var digits = unit switch { "x" => "F2", "%" => "F1", _ => "F3" };
        return Invariant($"{median.ToString(digits, CultureInfo.InvariantCulture)}{unit} ({sorted[0].ToString(digits, CultureInfo.InvariantCulture)}-{sorted[^1].ToString(digits, CultureInfo.InvariantCulture)})");
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
