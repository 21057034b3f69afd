using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cms.Web.Infrastructure;

// Ready means the schema this code expects is in place, not only that the server answers.
public sealed class PendingMigrationsCheck(CmsDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy("no pending migrations")
            : HealthCheckResult.Unhealthy($"{pending.Count} pending migrations: {string.Join(", ", pending)}");
    }
}
