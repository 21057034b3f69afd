using System.Globalization;
using System.Threading.RateLimiting;
using Cms.Application.Delivery;

namespace Cms.Web.Api;

// Requests per token per window on the delivery API (RateLimit:DeliveryPerMinute, DeliveryWindow),
// counted per instance like the sign-in limits: behind a balancer spreading requests evenly, a
// token gets at most instances x the limit per window (README "Several instances"). Counted only
// after the token is authenticated, so made-up tokens take no partition (they are refused, and
// their refusals are bounded by DeliverySites.RefusedAsync).
public sealed class DeliveryRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public DeliveryRateLimits(IConfiguration configuration)
    {
        PermitLimit = configuration.GetValue("RateLimit:DeliveryPerMinute", 600);
        var window = configuration.GetValue("RateLimit:DeliveryWindow", TimeSpan.FromMinutes(1));
        if (PermitLimit < 1 || window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("RateLimit:DeliveryPerMinute must be at least 1 and RateLimit:DeliveryWindow positive.");
        }
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = PermitLimit, Window = window, QueueLimit = 0 }));
    }

    public int PermitLimit { get; }

    // Null when the request may go on; otherwise the 429 answer, with Retry-After from the window.
    public IResult? Refusal(HttpContext http, string token)
    {
        // Keyed by the token's hash, the form the database holds: no plaintext token stays in memory.
        using var lease = _limiter.AttemptAcquire(DeliverySites.Hash(token));
        if (lease.IsAcquired)
        {
            return null;
        }
        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Results.Json(new { error = $"more than {PermitLimit} requests with this token in the window: retry later" },
            statusCode: StatusCodes.Status429TooManyRequests);
    }

    public void Dispose() => _limiter.Dispose();
}
