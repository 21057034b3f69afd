using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress is { } ip ? ClientKey(ip) : "unknown";

    // One client, one key: an IPv6 client is its /64 (one subscriber holds 2^64 addresses and would
    // otherwise take a fresh budget with each request), an IPv4 address seen through a dual-stack
    // socket or proxy (::ffff:a.b.c.d) is that IPv4 address.
    public static string ClientKey(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        if (ip.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(ip))
        {
            return ip.ToString();
        }
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
