using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Bench;

// ./cms bench queue --explain: the plans of each view's queries as the page runs them, so the plans
// recorded in docs/benchmarks.md can be produced again with one command.
public static class QueuePlans
{
    public static async Task PrintAsync(IServiceProvider services, string name, QueueView view, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var queue = scope.ServiceProvider.GetRequiredService<QueueQuery>();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var counts = await queue.CountsAsync(view, ct);
        Console.WriteLine();
        Console.WriteLine($"#### {name}");
        Console.WriteLine();
        Console.WriteLine("counts shown: " + string.Join(", ", Enum.GetValues<WorkflowState>().Select(s => $"{s} {counts[s].Label}")));
        await ExplainAsync(db, "page", await queue.FirstPageQueryAsync(view, ct), ct);
        if (QueueQuery.HasFilters(view) && !counts.AnyEstimated)
        {
            await ExplainAsync(db, "counts (one capped read)", await queue.CountQueryAsync(view, ct), ct);
        }
    }

    private static async Task ExplainAsync<T>(CmsDbContext db, string what, IQueryable<T> query, CancellationToken ct)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN (ANALYZE, BUFFERS) " + command.CommandText;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            Console.WriteLine();
            Console.WriteLine($"{what}:");
            Console.WriteLine("```");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                Console.WriteLine(reader.GetString(0));
            }
            Console.WriteLine("```");
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
