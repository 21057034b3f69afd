using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application;

// A background loop woken by PostgreSQL: LISTEN on a channel, run a round, sleep until a
// notification or the time the round returned. Notifications come from any instance, so nothing
// in process memory decides when work is due. A lost connection is retried every 2 s. The one
// LISTEN loop of the app: the publishing worker, the webhook sender and the live channel use it.
public static class NotifiedLoop
{
    // What a listening loop does besides waiting: a round after each wake (returning when to wake at
    // the latest; null: only on a notification), each notification's payload, and the news that the
    // connection came back after a loss (notifications sent meanwhile were never heard).
    public sealed record Listening(string Channel, string Name)
    {
        public Func<CancellationToken, Task<DateTimeOffset?>>? Round { get; init; }
        public Action<string>? Notified { get; init; }
        public Action? Reconnected { get; init; }

        // The clock the round's answer is on (the webhook sender's due times are on the app's).
        public TimeProvider Clock { get; init; } = TimeProvider.System;
    }

    public static Task RunAsync(IConfiguration configuration, string channel, Func<CancellationToken, Task<DateTimeOffset>> round,
        ILogger log, string name, CancellationToken ct, TimeProvider? clock = null) =>
        ListenAsync(configuration, new Listening(channel, name)
        {
            Round = async token => await round(token),
            Clock = clock ?? TimeProvider.System,
        }, log, ct);

    public static async Task ListenAsync(IConfiguration configuration, Listening listening, ILogger log, CancellationToken ct)
    {
        var connected = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Its own connection, never pooled: it lives as long as the loop.
                await using var listener = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(CmsApplication.ConnectionString(configuration))
                {
                    KeepAlive = 30,
                    Pooling = false,
                }.ConnectionString);
                await listener.OpenAsync(ct);
                if (listening.Notified is { } notified)
                {
                    listener.Notification += (_, e) => notified(e.Payload);
                }
                await using (var listen = new NpgsqlCommand($"LISTEN {listening.Channel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                if (connected)
                {
                    listening.Reconnected?.Invoke();
                }
                connected = true;
                while (!ct.IsCancellationRequested)
                {
                    var wake = listening.Round is { } round ? await round(ct) : null;
                    if (wake is null)
                    {
                        await listener.WaitAsync(ct);
                    }
                    else if (wake.Value - listening.Clock.GetUtcNow() is var wait && wait > TimeSpan.Zero)
                    {
                        await listener.WaitAsync(wait, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                log.LogError(ex, "{Name}: database unavailable; retrying", listening.Name);
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
