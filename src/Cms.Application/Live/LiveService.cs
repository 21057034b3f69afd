using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Live;

// The instance's side of the live channel: one LISTEN connection feeding the hub, and a heartbeat
// that keeps this instance's presence rows fresh, sweeps those of dead instances, ends streams whose
// session ended, and keeps idle connections open through proxies.
public sealed class LiveService(LiveHub hub, LiveOptions options, IServiceScopeFactory scopes, IConfiguration configuration, ILogger<LiveService> log)
    : BackgroundService
{
    private readonly SemaphoreSlim _sessionCheck = new(0);

    public static readonly LiveEvent SignedOut = new("bye", "{\"reason\":\"signed-out\"}");

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        hub.SessionEnded += _ => _sessionCheck.Release();
        return Task.WhenAll(
            Task.Run(() => ListenAsync(stoppingToken), stoppingToken),
            Task.Run(() => HeartbeatAsync(stoppingToken), stoppingToken));
    }

    // One LISTEN connection feeding the hub (NotifiedLoop's loop, without rounds). Signals sent
    // while it was not listening are lost: after a reconnection every page looks again.
    private Task ListenAsync(CancellationToken ct) =>
        NotifiedLoop.ListenAsync(configuration, new NotifiedLoop.Listening(LiveSignal.Channel, $"live channel of {hub.Instance}")
        {
            Notified = hub.Dispatch,
            Reconnected = () =>
            {
                hub.Broadcast(new LiveEvent("resync", "{}"));
                _sessionCheck.Release();
            },
        }, log, ct);

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        var beats = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Wakes at the heartbeat, or at once when someone's session ended.
                await _sessionCheck.WaitAsync(options.Heartbeat, ct);
                while (_sessionCheck.CurrentCount > 0)
                {
                    await _sessionCheck.WaitAsync(ct);
                }
                await using var scope = scopes.CreateAsyncScope();
                var clients = hub.Snapshot();
                await EndSignedOutAsync(scope.ServiceProvider.GetRequiredService<CmsDbContext>(),
                    scope.ServiceProvider.GetRequiredService<Users.SessionSettings>(), clients, ct);
                await scope.ServiceProvider.GetRequiredService<Presence>().HeartbeatAsync(hub.Instance,
                    clients.Where(c => c.ItemId is not null && c.ClosedBecause is null).Select(c => c.Id).ToList(), ct);
                if (++beats % 3 == 0)
                {
                    hub.Broadcast(new LiveEvent("ping", "{}"));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or DbUpdateException)
            {
                log.LogError(ex, "live heartbeat of {Instance} failed; retrying", hub.Instance);
                if (!await DelayAsync(options.Heartbeat, ct))
                {
                    return;
                }
            }
        }
    }

    // A stream lives no longer than its session: sign-out, a lock, a disable or an admin's "end
    // sessions" delete the session row, and its streams are closed here (at once on the signal,
    // at the next heartbeat at the latest), as are those of sessions past their lifetime or idle
    // timeout (an open page is not a request).
    private static async Task EndSignedOutAsync(CmsDbContext db, Users.SessionSettings settings, IReadOnlyList<LiveClient> clients, CancellationToken ct)
    {
        var keys = clients.Where(c => c.SessionId is not null && c.ClosedBecause is null).Select(c => c.SessionId!).Distinct().ToList();
        if (keys.Count == 0)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var idle = now - settings.IdleTimeout;
        var alive = (await db.UserSessions.AsNoTracking().Where(s => keys.Contains(s.Id) && s.ExpiresAt > now && s.LastSeenAt > idle).Select(s => s.Id).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var client in clients.Where(c => c.SessionId is not null && !alive.Contains(c.SessionId)))
        {
            client.Close("signed out", SignedOut);
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
