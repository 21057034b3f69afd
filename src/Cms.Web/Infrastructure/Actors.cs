using System.Diagnostics;
using Cms.Application;

namespace Cms.Web.Infrastructure;

public static class Actors
{
    // The signed-in user as the application layer sees them, with where the request came from.
    public static Actor Of(HttpContext http) => Actor.FromPrincipal(http.User) with
    {
        Ip = http.Connection.RemoteIpAddress?.ToString(),
        RequestId = Activity.Current?.Id ?? http.TraceIdentifier,
    };

    // The client address after forwarded headers from known proxies: the key of rate limits and lockout.
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
