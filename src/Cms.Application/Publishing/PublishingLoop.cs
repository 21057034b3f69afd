using Cms.Application.Items;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Publishing;

// The publishing worker's loop: drain the outbox, publish scheduled items when due, then sleep
// until a notification (a new job or schedule, from any instance), the next due time, the next
// retry or the poll interval. Keeps nothing in memory that another instance needs: the jobs, the
// schedules and the locks all live in PostgreSQL. Runs as a hosted service in the web app and as
// `./cms worker`.
// One clock, the app's TimeProvider: due times, the wake-up and the jobs' retry times are all on it.
public sealed class PublishingLoop(IServiceScopeFactory scopes, IConfiguration configuration, PublishingOptions options, TimeProvider clock, ILogger<PublishingLoop> log)
{
    // Distinguishes instances in the jobs and the audit trail (two hosts may share a process in tests).
    public string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public async Task RunAsync(CancellationToken ct)
    {
        log.LogInformation("publishing worker {Name} writes to {Folder}", Name, options.Folder);
        await NotifiedLoop.RunAsync(configuration, PublishSignal.Channel, RoundAsync, log, $"publishing worker {Name}", ct, clock);
    }

    // Drains everything that is due now, then returns when to look again. A schedule or a job the
    // database or the disk refuses backs off on its own (PublishSchedule, PublishWorker); only an
    // unreachable database stops a round.
    public async Task<DateTimeOffset> RoundAsync(CancellationToken ct)
    {
        while (true)
        {
            var published = 0;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var schedule = scope.ServiceProvider.GetRequiredService<PublishSchedule>();
                if (await schedule.NextDueAsync(ct) is { } due && due <= clock.GetUtcNow())
                {
                    published = await schedule.PublishDueAsync(PublishWorker.Actor, ct);
                }
            }
            int processed;
            do
            {
                await using var scope = scopes.CreateAsyncScope();
                processed = await scope.ServiceProvider.GetRequiredService<PublishWorker>().RunOnceAsync(Name, ct);
            }
            while (processed > 0);
            await using (var scope = scopes.CreateAsyncScope())
            {
                var nextDue = await scope.ServiceProvider.GetRequiredService<PublishSchedule>().NextDueAsync(ct);
                var nextRetry = await scope.ServiceProvider.GetRequiredService<PublishWorker>().NextRetryAsync(ct);
                var now = clock.GetUtcNow();
                // Due schedules that published nothing (held by another instance, refused, backing
                // off) are looked at again after a pause, never in a busy loop.
                if (published == 0)
                {
                    var wake = now + options.PollInterval;
                    foreach (var t in new[] { nextDue, nextRetry })
                    {
                        if (t is { } time && time < wake)
                        {
                            wake = time;
                        }
                    }
                    // Due work another instance holds is looked at again shortly, not in a busy loop.
                    var soonest = now.AddMilliseconds(250);
                    return wake < soonest ? soonest : wake;
                }
            }
        }
    }

    // `./cms worker --once`: everything due now, then stop.
    public async Task DrainAsync(CancellationToken ct) => await RoundAsync(ct);
}

// The loop as a hosted service of the web app (Publishing:Worker=false turns it off).
public sealed class PublishingService(PublishingLoop loop, PublishingOptions options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Worker ? Task.Run(() => loop.RunAsync(stoppingToken), stoppingToken) : Task.CompletedTask;
}
