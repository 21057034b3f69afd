using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application;

// A background loop woken by PostgreSQL: LISTEN on a channel, run a round, sleep until a
// notification or the time the round returned. Notifications come from any instance, so nothing
// in process memory decides when work is due. A lost connection is retried every 2 s.
public static class NotifiedLoop
{
    public static async Task RunAsync(IConfiguration configuration, string channel, Func<CancellationToken, Task<DateTimeOffset>> round,
        ILogger log, string name, CancellationToken ct, TimeProvider? clock = null)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var listener = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(CmsApplication.ConnectionString(configuration))
                {
                    KeepAlive = 30,
                }.ConnectionString);
                await listener.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                while (!ct.IsCancellationRequested)
                {
                    // The round's answer is on the clock it was given (the sender's due times are on the app's).
                    var wait = await round(ct) - (clock ?? TimeProvider.System).GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await listener.WaitAsync(wait, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                log.LogError(ex, "{Name}: database unavailable; retrying", name);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
