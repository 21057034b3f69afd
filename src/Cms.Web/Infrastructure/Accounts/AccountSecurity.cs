using System.Net;

namespace Cms.Web.Infrastructure.Accounts;

// The "Security" settings of sign-in (see the README's settings table).
public sealed record AccountSecurity(bool RequireTwoFactorForAdmins, IReadOnlyList<IPAddress> KnownProxies, IReadOnlyList<System.Net.IPNetwork> KnownNetworks,
    int LoginPerMinute, int LoginPerAccountPerMinute, TimeSpan LoginWindow)
{
    public static AccountSecurity From(IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("Security:KnownProxies");
        var entries = section.GetChildren().Any()
            ? section.GetChildren().Select(c => c.Value ?? "")
            : (section.Value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries.Where(e => e.Length > 0))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"Security:KnownProxies: '{entry}' is neither an IP address nor a CIDR network.");
            }
        }
        return new AccountSecurity(
            configuration.GetValue("Security:RequireTwoFactorForAdmins", !environment.IsDevelopment()),
            proxies,
            networks,
            configuration.GetValue("RateLimit:LoginPerMinute", 10),
            configuration.GetValue("RateLimit:LoginPerAccountPerMinute", 30),
            // The "minute" of the two limits; the rate limiter reads the wall clock, so tests that
            // count a window's refusals make it long enough never to roll over under them.
            configuration.GetValue("RateLimit:LoginWindow", TimeSpan.FromMinutes(1)));
    }
}
