using Cms.Application.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Delivery;

// The webhook sender's loop, beside the publishing loop (in the web app's worker and in
// `./cms worker`): send what is due, then sleep until a notification (a move committed a delivery,
// an endpoint was enabled, a replay), the next retry, or the poll interval. Once an hour per
// instance it also drops the API's old refusal bookkeeping (DeliverySites.PruneAccessFailuresAsync).
public sealed class WebhookLoop(IServiceScopeFactory scopes, IConfiguration configuration, WebhookOptions options, TimeProvider clock, ILogger<WebhookLoop> log)
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    public Task RunAsync(CancellationToken ct) =>
        NotifiedLoop.RunAsync(configuration, DeliveryRecorder.Channel, RoundAsync, log, "webhook sender", ct, clock);

    // Sends everything due now, then returns when to look again.
    public async Task<DateTimeOffset> RoundAsync(CancellationToken ct)
    {
        int sent;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            sent = await scope.ServiceProvider.GetRequiredService<WebhookSender>().RunOnceAsync(ct);
        }
        while (sent > 0);
        await using var last = scopes.CreateAsyncScope();
        if (clock.GetUtcNow() >= _nextPrune)
        {
            var pruned = await last.ServiceProvider.GetRequiredService<DeliverySites>().PruneAccessFailuresAsync(options.AccessFailureRetention, ct);
            log.LogDebug("dropped {Rows} refusal records older than {Hours} h", pruned, options.AccessFailureRetention.TotalHours);
            _nextPrune = clock.GetUtcNow() + PruneInterval;
        }
        var next = await last.ServiceProvider.GetRequiredService<WebhookSender>().NextDueAsync(ct);
        var now = clock.GetUtcNow();
        var wake = next is { } n && n < now + options.PollInterval ? n : now + options.PollInterval;
        var soonest = now.AddMilliseconds(250);
        return wake < soonest ? soonest : wake;
    }
}

// The loop as a hosted service of the web app, on when the app runs the publishing worker.
public sealed class WebhookService(WebhookLoop loop, PublishingOptions options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Worker ? Task.Run(() => loop.RunAsync(stoppingToken), stoppingToken) : Task.CompletedTask;
}
