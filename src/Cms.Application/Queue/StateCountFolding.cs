using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Queue;

// Folds the appended per-state deltas (ItemStateCountDelta) into item_state_counts every few
// seconds, so a total stays a read of a few rows. Every instance may run it: DELETE ... RETURNING
// hands each delta to exactly one folder, in the same statement that adds it to the counts.
public sealed class StateCountFolding(IServiceScopeFactory scopes, ILogger<StateCountFolding> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public const string Sql = """
        WITH folded AS (DELETE FROM item_state_count_deltas RETURNING state, delta)
        INSERT INTO item_state_counts (state, count) SELECT state, sum(delta) FROM folded GROUP BY state
        ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count
        """;

    public static Task<int> FoldAsync(CmsDbContext db, CancellationToken ct) => db.Database.ExecuteSqlRawAsync(Sql, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await FoldAsync(scope.ServiceProvider.GetRequiredService<CmsDbContext>(), stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                log.LogWarning(ex, "folding the state counts failed; retrying");
            }
        }
    }
}
