using Microsoft.Extensions.Configuration;

namespace Cms.Application.Publishing;

// Settings `Workflow:*` and `Publishing:*` (environment: Workflow__FourEyes, Publishing__Folder, ...).
public sealed class PublishingOptions
{
    public const string DefaultFolder = ".data/published";

    // Four-eyes: whoever marked an item Ready may not publish it (nor schedule it).
    public bool FourEyes { get; init; } = true;

    // Where published items are written; a relative path is taken from the repository root (the
    // folder holding Cms.sln above the content root) or, outside a checkout, from the content root.
    public string Folder { get; init; } = DefaultFolder;

    // Whether this process drains the outbox (the web app's hosted service; `./cms worker` always does).
    public bool Worker { get; init; } = true;

    public int BatchSize { get; init; } = 200;

    // Parallel file writes: fsync dominates a write here (about 5 ms each on this machine's disk),
    // and concurrent fsyncs share journal commits.
    public int WriteParallelism { get; init; } = 8;

    // Safety net when a notification is missed; new jobs and schedules wake the worker at once.
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts { get; init; } = 10;

    public static PublishingOptions From(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection("Publishing");
        var folder = section["Folder"] is { Length: > 0 } f ? f : DefaultFolder;
        return new PublishingOptions
        {
            FourEyes = configuration.GetValue("Workflow:FourEyes", true),
            Folder = CheckoutPaths.Resolve(folder, contentRoot),
            Worker = section.GetValue("Worker", true),
            BatchSize = Math.Max(1, section.GetValue("BatchSize", 200)),
            WriteParallelism = Math.Max(1, section.GetValue("WriteParallelism", 8)),
            PollInterval = TimeSpan.FromSeconds(Math.Max(1, section.GetValue("PollSeconds", 30))),
            MaxAttempts = Math.Max(1, section.GetValue("MaxAttempts", 10)),
        };
    }

    // Retry n (1-based) waits 2^n seconds, at most ten minutes.
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(2, Math.Min(attempts, 10))));
}
