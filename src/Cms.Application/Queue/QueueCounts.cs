using System.Text.Json;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Queue;

// A filtered view's per-state counts at a cost that grows neither with the number of states nor
// with the size of the match set (docs/benchmarks.md, "Queue counts"):
// 1. the planner estimates the filter's matches and prices one capped read of them (EXPLAIN,
//    nothing executed);
// 2. a narrow filter (estimated at most NarrowRows matches) whose capped read is within the budget
//    is counted by ONE statement that reads at most Cap + 1 matches grouped by state: exact counts
//    when fewer match, otherwise "200+" for a state that filled the cap;
// 3. any other filter reads nothing: each state shows "about N", the planner's estimate of the
//    filter's matches shared out by the states' exact totals. A state without any item shows an
//    exact 0 either way.
public static class QueueCounts
{
    public const int Cap = 200;

    public const double NarrowRows = 1_000;

    public static async Task<StateCounts> FilteredAsync(CmsDbContext db, QueueCountOptions options, IQueryable<Item> filtered, Dictionary<WorkflowState, long> totals, CancellationToken ct)
    {
        var capped = Capped(filtered);
        var (cost, estimate) = await PlanAsync(db, capped, ct);
        var all = Math.Max(1, totals.Values.Sum());
        var counts = new Dictionary<WorkflowState, StateCount>();
        // Reading even 201 matches of a broad filter costs more than the estimate: every row read
        // detoasts its search vector (70-80 ms for "market" at a million items, 8 clients).
        if (estimate <= NarrowRows && cost <= options.CostBudget)
        {
            var found = await capped.GroupBy(s => s).Select(g => new StateFound(g.Key, g.LongCount())).ToDictionaryAsync(g => g.State, g => g.Count, ct);
            var complete = found.Values.Sum() <= Cap;
            foreach (var state in Enum.GetValues<WorkflowState>())
            {
                var seen = found.GetValueOrDefault(state);
                counts[state] = complete || totals.GetValueOrDefault(state) == 0 ? new StateCount(seen, CountKind.Exact)
                    : seen > Cap ? new StateCount(Cap, CountKind.AtLeast)
                    : new StateCount(Math.Max(seen, StateCounts.Round(estimate * totals[state] / all)), CountKind.About);
            }
            return new StateCounts(counts);
        }
        foreach (var state in Enum.GetValues<WorkflowState>())
        {
            var total = totals.GetValueOrDefault(state);
            counts[state] = total == 0 ? new StateCount(0, CountKind.Exact) : new StateCount(StateCounts.Round(estimate * total / all), CountKind.About);
        }
        return new StateCounts(counts);
    }

    public static IQueryable<WorkflowState> Capped(IQueryable<Item> filtered) => filtered.Select(i => i.State).Take(Cap + 1);

    public static IQueryable<object> Grouped(IQueryable<WorkflowState> capped) =>
        capped.GroupBy(s => s).Select(g => new StateFound(g.Key, g.LongCount()));

    private sealed record StateFound(WorkflowState State, long Count);

    // The planner's total cost of the capped read, and its estimate of the rows the filter matches
    // (the row estimate of the plan under the LIMIT).
    private static async Task<(double Cost, double Rows)> PlanAsync(CmsDbContext db, IQueryable<WorkflowState> capped, CancellationToken ct)
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
// million items).
public sealed class QueueCountOptions
{
    public const double DefaultCostBudget = 5_000;

    public double CostBudget { get; init; } = DefaultCostBudget;
}
