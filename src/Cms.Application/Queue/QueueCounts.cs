using System.Text.Json;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Queue;

// A filtered view's per-state counts, honest at any size (docs/benchmarks.md, "Honest counts"):
// exact whenever the matches are few or the state is small, a lower bound ("N+") where counting
// stopped, "about N" only where the planner's estimate was measured within the stated error of
// the truth, and "?" where nothing cheaper than a count would tell. In order:
// 1. a state without any item is an exact 0 (trigger-kept totals);
// 2. the planner estimates the filter's matches (EXPLAIN, nothing executed); a narrow filter (at
//    most NarrowRows estimated, its capped read within the budget) is read, at most Cap + 1
//    matches grouped by state: fewer than that and every count is exact;
// 3. every state with at most ExactStateRows items is counted whole, in one statement (it reads at
//    most that many rows per state, whatever the filter);
// 4. a larger state gets "about N" only when it is the only one left, every condition of the
//    filter is of a kind the planner estimates within EstimateError (QueueView.EstimateIsTrusted,
//    measured at 100,000 and 1,000,000 items), and N (the estimate less the exact counts of the
//    other states) is large enough that the estimate's error is within the stated error of N too;
//    otherwise what was read is a lower bound ("N+"), or "?".
// The queue page then makes the view's own states exact whenever its first page holds the whole
// view (StateCounts.WithPage), so no count ever contradicts the list below it.
public static class QueueCounts
{
    public const int Cap = 1_000;

    public const double NarrowRows = 1_000;

    // The planner's error measured for the trusted filter kinds (docs/benchmarks.md) and the error
    // the page states for "about N": the estimate of the remaining state is shown only when the
    // whole estimate's error is within StatedError of that state's share.
    public const double EstimateError = 0.05;
    public const double StatedError = 0.10;

    // An estimate below this is shown as a lower bound: the planner's guesses for few rows are coarse.
    public const long MinEstimate = 1_000;

    public static async Task<StateCounts> FilteredAsync(CmsDbContext db, QueueCountOptions options, QueueView view, IQueryable<Item> filtered,
        Dictionary<WorkflowState, long> totals, CancellationToken ct)
    {
        var counts = new Dictionary<WorkflowState, StateCount>();
        var open = new List<WorkflowState>();
        foreach (var state in Enum.GetValues<WorkflowState>())
        {
            if (totals.GetValueOrDefault(state) == 0)
            {
                counts[state] = new StateCount(0, CountKind.Exact);
            }
            else
            {
                open.Add(state);
            }
        }
        if (open.Count == 0)
        {
            return new StateCounts(counts);
        }

        var capped = Capped(filtered);
        var (cost, estimate) = await PlanAsync(db, capped, ct);
        var found = new Dictionary<WorkflowState, long>();
        // Reading even Cap matches of a broad filter costs more than the estimate: every row read
        // detoasts its search vector (70-80 ms for "market" at a million items, 8 clients).
        if (estimate <= NarrowRows && cost <= options.CostBudget)
        {
            found = await capped.GroupBy(s => s).Select(g => new StateFound(g.Key, g.LongCount())).ToDictionaryAsync(g => g.State, g => g.Count, ct);
            if (found.Values.Sum() <= Cap)
            {
                foreach (var state in open)
                {
                    counts[state] = new StateCount(found.GetValueOrDefault(state), CountKind.Exact);
                }
                return new StateCounts(counts);
            }
        }

        var small = open.Where(s => totals[s] <= options.ExactStateRows).ToList();
        if (small.Count > 0)
        {
            var whole = await filtered.Where(i => small.Contains(i.State)).GroupBy(i => i.State)
                .Select(g => new StateFound(g.Key, g.LongCount())).ToDictionaryAsync(g => g.State, g => g.Count, ct);
            foreach (var state in small)
            {
                counts[state] = new StateCount(whole.GetValueOrDefault(state), CountKind.Exact);
            }
        }
        var large = open.Except(small).ToList();
        var rest = (long)Math.Round(estimate) - small.Sum(s => counts[s].Value);
        foreach (var state in large)
        {
            var seen = found.GetValueOrDefault(state);
            counts[state] = large.Count == 1 && view.EstimateIsTrusted() && rest >= Math.Max(MinEstimate, seen)
                && estimate * EstimateError <= rest * StatedError
                ? new StateCount(StateCounts.Round(rest), CountKind.About)
                : StateCount.AtLeast(seen);
        }
        return new StateCounts(counts);
    }

    public static IQueryable<WorkflowState> Capped(IQueryable<Item> filtered) => filtered.Select(i => i.State).Take(Cap + 1);

    public static IQueryable<object> Grouped(IQueryable<WorkflowState> capped) =>
        capped.GroupBy(s => s).Select(g => new StateFound(g.Key, g.LongCount()));

    private sealed record StateFound(WorkflowState State, long Count);

    // The planner's total cost of the capped read, and its estimate of the rows the filter matches
    // (the row estimate of the plan under the LIMIT).
    public static async Task<(double Cost, double Rows)> PlanAsync(CmsDbContext db, IQueryable<WorkflowState> capped, CancellationToken ct)
    {
        await using var command = capped.CreateDbCommand();
        command.CommandText = "EXPLAIN (FORMAT JSON) " + command.CommandText;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var json = (string)(await command.ExecuteScalarAsync(ct))!;
            using var plan = JsonDocument.Parse(json);
            var top = plan.RootElement[0].GetProperty("Plan");
            var under = top.TryGetProperty("Plans", out var children) ? children[0] : top;
            return (top.GetProperty("Total Cost").GetDouble(), under.GetProperty("Plan Rows").GetDouble());
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

// Queue:CountCostBudget: planner cost units (about one sequential page read each) a narrow filter's
// capped count may take before the page shows estimates instead. Chosen by measurement
// (docs/benchmarks.md): a rare name read through the GIN index is priced ~3,000 and takes under a
// millisecond; a narrow filter no index serves is priced at a scan of the table (~180,000 at a
// million items). Queue:ExactStateRows: a state with at most this many items is counted whole for
// any filter (a review queue of a few thousand items is counted exactly; the archive is not).
public sealed class QueueCountOptions
{
    public const double DefaultCostBudget = 5_000;
    public const long DefaultExactStateRows = 2_000;

    public double CostBudget { get; init; } = DefaultCostBudget;

    public long ExactStateRows { get; init; } = DefaultExactStateRows;
}
