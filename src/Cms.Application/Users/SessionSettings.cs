using Microsoft.Extensions.Configuration;

namespace Cms.Application.Users;

// How long a sign-in lasts: ended after IdleTimeout without a request, and after Lifetime in any
// case. Settings Security:SessionIdleTimeout and Security:SessionLifetime (TimeSpan, e.g. 02:00:00).
public sealed record SessionSettings(TimeSpan IdleTimeout, TimeSpan Lifetime)
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(2);
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(12);

    // Last-seen times are written at most this often, so a busy session is not a write per request.
    public TimeSpan TouchInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, IdleTimeout.Ticks / 4));

    public static SessionSettings From(IConfiguration configuration)
    {
        var settings = new SessionSettings(
            configuration.GetValue("Security:SessionIdleTimeout", DefaultIdleTimeout),
            configuration.GetValue("Security:SessionLifetime", DefaultLifetime));
        if (settings.IdleTimeout <= TimeSpan.Zero || settings.Lifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Security:SessionIdleTimeout and Security:SessionLifetime must be positive.");
        }
        return settings;
    }
}
