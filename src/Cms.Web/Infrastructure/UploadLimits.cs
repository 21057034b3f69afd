using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Cms.Web.Infrastructure;

// How uploads share one app instance (configuration section "Import"; see the README).
public sealed class UploadLimitOptions
{
    // Uploads one account may have in progress (receiving, waiting or importing): one editor cannot
    // take every place.
    public int UploadsPerUser { get; init; } = 1;

    // Uploads in progress, all accounts together: bounds the form buffers held in memory.
    public int UploadsInProgress { get; init; } = 4;

    // Received uploads imported at once; the others wait their turn. Imports serialize on the
    // database's advisory lock anyway, so more would only hold more batches in memory.
    public int ConcurrentImports { get; init; } = 1;

    // An upload body must arrive at least this fast on average once the grace period has passed
    // (0: no minimum). 16 KiB/s is 128 kbit/s, below any connection an editor works on.
    public double MinUploadBytesPerSecond { get; init; } = 16 * 1024;

    public TimeSpan UploadGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    // A zip's entries and directory bytes (ZipDirectory, checked before ZipArchive holds an object
    // per entry, ~400 bytes each). 200 MB of zipped items of ~5 KiB is under 100,000 entries; an
    // item's path in the directory is ~46 bytes of header and a name of well under 120 bytes.
    public int MaxZipEntries { get; init; } = 100_000;

    public long MaxZipDirectoryBytes { get; init; } = 16 * 1024 * 1024;

    public static UploadLimitOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection("Import").Get<UploadLimitOptions>() ?? new UploadLimitOptions();
        if (options.UploadsPerUser < 1 || options.UploadsInProgress < options.UploadsPerUser || options.ConcurrentImports < 1
            || options.MinUploadBytesPerSecond < 0 || options.UploadGracePeriod < TimeSpan.Zero || options.MaxZipEntries < 1 || options.MaxZipDirectoryBytes < 1)
        {
            throw new InvalidOperationException("Import:UploadsPerUser, ConcurrentImports, MaxZipEntries and MaxZipDirectoryBytes must be at least 1, "
                + "UploadsInProgress at least UploadsPerUser, MinUploadBytesPerSecond and UploadGracePeriod not negative.");
        }
        return options;
    }
}

// Marks a page whose POST is an upload: admitted by UploadLimits (per account and in total, with a
// minimum body rate) before the body is read; its handler runs when its import turn comes.
[AttributeUsage(AttributeTargets.Class)]
public sealed class UploadLimitedAttribute : Attribute, IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (!HttpMethods.IsPost(context.HttpContext.Request.Method))
        {
            await next();
            return;
        }
        using var turn = await context.HttpContext.RequestServices.GetRequiredService<UploadLimits>().ImportTurnAsync(context.HttpContext.RequestAborted);
        await next();
    }
}

// Per instance, like the memory it protects. An upload is admitted only while its account has
// fewer than UploadsPerUser and the instance fewer than UploadsInProgress uploads in progress;
// otherwise 429 with Retry-After at once (no queue a slow client could hold). While the body
// arrives it must keep MinUploadBytesPerSecond, or it is cut off with 408. A received upload
// waits for one of ConcurrentImports turns, so a slow body never holds up another editor's import.
public sealed class UploadLimits : IDisposable
{
    public const int RetryAfterSeconds = 10;

    private readonly UploadLimitOptions _options;
    private readonly TimeProvider _clock;
    private readonly PartitionedRateLimiter<string> _admission;
    private readonly SemaphoreSlim _imports;
    private int _inProgress;

    public UploadLimits(UploadLimitOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _admission = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetConcurrencyLimiter(account,
                _ => new ConcurrencyLimiterOptions { PermitLimit = options.UploadsPerUser, QueueLimit = 0 })),
            PartitionedRateLimiter.Create<string, string>(_ => RateLimitPartition.GetConcurrencyLimiter("instance",
                _ => new ConcurrencyLimiterOptions { PermitLimit = options.UploadsInProgress, QueueLimit = 0 })));
        _imports = new SemaphoreSlim(options.ConcurrentImports, options.ConcurrentImports);
    }

    // Uploads admitted and not finished on this instance.
    public int InProgress => Volatile.Read(ref _inProgress);

    public async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        var account = Actors.Of(context).UserId ?? "client:" + Actors.ClientOf(context);
        using var admitted = _admission.AttemptAcquire(account);
        if (!admitted.IsAcquired)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return;
        }
        Interlocked.Increment(ref _inProgress);
        var body = context.Request.Body;
        using var guarded = _options.MinUploadBytesPerSecond > 0
            ? new MinimumRateBody(body, _options.MinUploadBytesPerSecond, _options.UploadGracePeriod, _clock)
            : null;
        context.Request.Body = guarded ?? body;
        try
        {
            await next(context);
        }
        catch (Exception) when (guarded?.CutOff == true && !context.Response.HasStarted)
        {
            // The form reader's failure, whatever shape it took: answered below.
        }
        finally
        {
            context.Request.Body = body;
            Interlocked.Decrement(ref _inProgress);
        }
        if (guarded?.CutOff == true && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status408RequestTimeout;
            // Kestrel would otherwise try to drain the rest of the slow body to reuse the connection.
            context.Response.Headers.Connection = "close";
        }
    }

    public async Task<IDisposable> ImportTurnAsync(CancellationToken ct)
    {
        await _imports.WaitAsync(ct);
        return new Turn(_imports);
    }

    public void Dispose()
    {
        _admission.Dispose();
        _imports.Dispose();
    }

    private sealed class Turn(SemaphoreSlim imports) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                imports.Release();
            }
        }
    }
}

public static class UploadLimitsMiddleware
{
    // After authorization: the account is known and only permitted uploads take a place.
    public static IApplicationBuilder UseUploadLimits(this IApplicationBuilder app) => app.Use((context, next) =>
        HttpMethods.IsPost(context.Request.Method) && context.GetEndpoint()?.Metadata.GetMetadata<UploadLimitedAttribute>() is not null
            ? context.RequestServices.GetRequiredService<UploadLimits>().RunAsync(context, next)
            : next(context));
}
