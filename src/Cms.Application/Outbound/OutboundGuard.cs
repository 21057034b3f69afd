using System.Net;
using System.Net.Sockets;

namespace Cms.Application.Outbound;

// Refused by the outbound guard: the URL's host resolved only to addresses the CMS may not reach.
public sealed class OutboundRefusedException(string message) : HttpRequestException(message);

// Outbound HTTP to addresses given by people (webhook endpoints, later link checks) must not reach
// loopback, private, link-local or other non-public addresses (SSRF). The check happens at connect
// time, on the address actually connected to, so DNS answers that change between a check and the
// connection (rebinding) gain nothing; a URL's host is checked early as well, for a clear message.
public static class OutboundGuard
{
    // The reason an address is not public, or null when it is.
    public static string? Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Classify(address.MapToIPv4());
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return (b[0], b[1]) switch
            {
                (0, _) => "a 'this network' address",
                (10, _) => "a private address",
                (100, >= 64 and < 128) => "a shared (carrier-grade NAT) address",
                (127, _) => "a loopback address",
                (169, 254) => "a link-local address",
                (172, >= 16 and < 32) => "a private address",
                (192, 0) when b[2] is 0 or 2 => "a reserved address",
                (192, 168) => "a private address",
                (198, 18 or 19) => "a benchmarking address",
                (198, 51) when b[2] == 100 => "a documentation address",
                (203, 0) when b[2] == 113 => "a documentation address",
                ( >= 224, _) => "a multicast or reserved address",
                _ => null,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "a loopback address";
            }
            if (address.Equals(IPAddress.IPv6Any))
            {
                return "an unspecified address";
            }
            var b = address.GetAddressBytes();
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
            {
                return "a link-local address";
            }
            if ((b[0] & 0xfe) == 0xfc)
            {
                return "a private (unique local) address";
            }
            if (address.IsIPv6Multicast)
            {
                return "a multicast address";
            }
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0))
            {
                return Classify(new IPAddress(b[12..16]));
            }
            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return Classify(new IPAddress(b[2..6]));
            }
            // NAT64 local use (64:ff9b:1::/48, RFC 8215): the IPv4 address sits where the operator's
            // prefix length puts it (RFC 6052). Under a /96 (the rest of the prefix zero) it is the
            // last four bytes, judged as such; under a shorter prefix it cannot be told, so refused.
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
            {
                return b[6..12].All(x => x == 0)
                    ? Classify(new IPAddress(b[12..16]))
                    : "a local-use NAT64 address whose IPv4 address cannot be told";
            }
            // IPv4-compatible (::a.b.c.d, deprecated) and SIIT's IPv4-translated (::ffff:0:a.b.c.d)
            // addresses carry an IPv4 address in their last four bytes (:: and ::1 are named above).
            if (b[..12].All(x => x == 0) || (b[..8].All(x => x == 0) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0))
            {
                return Classify(new IPAddress(b[12..16]));
            }
            return null;
        }
        return "an address of an unknown family";
    }

    // A URL people may give: absolute http(s), no credentials in it, and (when the host is an
    // address literal) a public address unless private networks are allowed.
    public static string? ProblemWith(string url, OutboundOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "must be an absolute http or https URL";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "must not carry a user name or password";
        }
        if (!options.AllowPrivateNetworks && IPAddress.TryParse(uri.IdnHost, out var literal) && Classify(literal) is { } why)
        {
            return $"points at {why} ({literal}); Outbound__AllowPrivateNetworks is off";
        }
        if (!options.AllowPrivateNetworks && uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "points at localhost; Outbound__AllowPrivateNetworks is off";
        }
        return null;
    }

    // A handler whose every connection goes through the check. Redirects are not followed (a
    // redirect could lead anywhere; the callers treat one as a failure).
    public static SocketsHttpHandler Handler(OutboundOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options, ct),
    };

    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, OutboundOptions options, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowed = options.AllowPrivateNetworks ? addresses : addresses.Where(a => Classify(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var first = addresses.FirstOrDefault();
            throw new OutboundRefusedException(first is null
                ? $"{endpoint.Host} does not resolve to any address"
                : $"refused to connect to {endpoint.Host}: {first} is {Classify(first)} (Outbound__AllowPrivateNetworks is off)");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
