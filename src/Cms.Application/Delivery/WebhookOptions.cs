using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Cms.Application.Delivery;

// Settings `Webhooks:*` (environment Webhooks__TimeoutSeconds, ...).
public sealed class WebhookOptions
{
    // The Standard Webhooks / Svix schedule: after the first attempt, retries wait 5 s, 5 min,
    // 30 min, 2 h, 5 h, 10 h and 10 h (each ±20% jitter); after the last one the delivery has failed
    // for about 28 hours and the endpoint is disabled.
    public static readonly IReadOnlyList<TimeSpan> DefaultSchedule =
        [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
    public IReadOnlyList<TimeSpan> RetrySchedule { get; init; } = DefaultSchedule;

    // A Retry-After longer than this is cut to it (a receiver cannot park a delivery for a year).
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(10);
    public int BatchSize { get; init; } = 100;
    public int Parallelism { get; init; } = 8;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts => RetrySchedule.Count + 1;

    // How long a round's claim on its deliveries lasts without renewal: two request timeouts (30 s
    // with the defaults). The sender renews it every third of that while its requests run
    // (WebhookSender), so a live sender keeps a whole batch, however many waves of requests it takes,
    // and a sender that died holds nothing longer than this: any instance then takes its deliveries over.
    public TimeSpan Lease => Timeout * 2;

    public TimeSpan LeaseRenewal => Lease / 3;

    // After a renewal fails, the next attempt begins at least this long after the failed one began
    // (at once when that one took longer: WebhookSender.RenewAsync).
    public TimeSpan LeaseRetry => LeaseRenewal / 10;

    // How long the API's refusal bookkeeping (delivery_access_failures) is kept; it is needed for the
    // current hour only (Delivery:AccessFailureRetentionHours, at least 1).
    public TimeSpan AccessFailureRetention { get; init; } = TimeSpan.FromHours(24);

    public static WebhookOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Webhooks");
        return new WebhookOptions
        {
            Timeout = TimeSpan.FromSeconds(Math.Clamp(section.GetValue("TimeoutSeconds", 15.0), 0.1, 60)),
            RetrySchedule = section["RetrySchedule"] is { Length: > 0 } s ? ParseSchedule(s) : DefaultSchedule,
            BatchSize = Math.Max(1, section.GetValue("BatchSize", 100)),
            Parallelism = Math.Max(1, section.GetValue("Parallelism", 8)),
            PollInterval = TimeSpan.FromSeconds(Math.Max(1, section.GetValue("PollSeconds", 30))),
            AccessFailureRetention = TimeSpan.FromHours(Math.Max(1, configuration.GetValue("Delivery:AccessFailureRetentionHours", 24.0))),
        };
    }

    // "5s,5m,30m,2h": numbers with s, m or h.
    public static IReadOnlyList<TimeSpan> ParseSchedule(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var unit = part[^1];
            if (!double.TryParse(part[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            {
                throw new InvalidOperationException($"Webhooks:RetrySchedule: '{part}' is not a delay such as 5s, 5m or 2h.");
            }
            return unit switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                _ => throw new InvalidOperationException($"Webhooks:RetrySchedule: '{part}' is not a delay such as 5s, 5m or 2h."),
            };
        }).ToList();

    // The wait before retry n (1-based), with ±20% jitter so that deliveries failed together do not
    // come back together.
    public TimeSpan Delay(int attempts, Random random)
    {
        var basis = RetrySchedule[Math.Clamp(attempts - 1, 0, RetrySchedule.Count - 1)];
        return basis * (0.8 + random.NextDouble() * 0.4);
    }

    // The wait before the next attempt: a receiver's Retry-After may lengthen the schedule's wait
    // (up to MaxRetryAfter), never shorten it (`Retry-After: 0` would spend every attempt at once).
    public TimeSpan RetryWait(int attempts, TimeSpan? retryAfter, Random random)
    {
        var scheduled = Delay(attempts, random);
        var asked = retryAfter is { } after ? (after > MaxRetryAfter ? MaxRetryAfter : after) : TimeSpan.Zero;
        return asked > scheduled ? asked : scheduled;
    }
}
