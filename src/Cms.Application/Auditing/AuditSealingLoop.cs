using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Auditing;

// Seals what has committed every Audit:SealMilliseconds and writes the head out every
// Audit:AnchorSeconds. Runs in every web instance (a hosted service) and in `./cms worker`; it
// keeps nothing in memory another instance needs (the chain, the lock and the unsealed events are
// in PostgreSQL, the anchors in a file), so instances may start, stop or die at any point.
public sealed class AuditSealingLoop(IServiceScopeFactory scopes, AuditOptions options, ILogger<AuditSealingLoop> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(anchorNow: false, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                log.LogError(ex, "audit sealer: round failed; retrying");
            }
            try
            {
                await Task.Delay(options.SealInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // One round: seal everything committed, then anchor when due (or now).
    public async Task<(AuditSealer.Result Sealed, AuditAnchors.Outcome Anchor)> RoundAsync(bool anchorNow, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sealedNow = await scope.ServiceProvider.GetRequiredService<AuditSealer>().SealAsync(ct);
        var anchor = await scope.ServiceProvider.GetRequiredService<AuditAnchors>().AnchorAsync(anchorNow, ct);
        return (sealedNow, anchor);
    }
}

// The loop as a hosted service of the web app (Audit:Sealer=false turns it off).
public sealed class AuditSealingService(AuditSealingLoop loop, AuditOptions options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Sealer ? Task.Run(() => loop.RunAsync(stoppingToken), stoppingToken) : Task.CompletedTask;
}
