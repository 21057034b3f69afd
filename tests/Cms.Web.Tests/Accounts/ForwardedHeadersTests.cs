using System.Net;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// Behind a TLS-terminating proxy at 127.0.0.1 (the test itself), with the production sign-in limits.
public sealed class KnownProxyFixture : KestrelFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:KnownProxies"] = "127.0.0.1, ::1",
        ["AllowedHosts"] = "cms.example;localhost;127.0.0.1",
        ["RateLimit:LoginPerMinute"] = "10",
        ["RateLimit:LoginPerAccountPerMinute"] = "30",
        // The tests count one window's refusals: a window that cannot roll over while they run.
        ["RateLimit:LoginWindow"] = "01:00:00",
    };
}

public sealed class ForwardedHeadersTests(KnownProxyFixture app) : IClassFixture<KnownProxyFixture>
{
    private const string Password = KnownProxyFixture.Password;

    private RawClient Client(string? address = null, string? proto = null, string? host = null) =>
        new(app.BaseAddress, address ?? RawClient.Address(), proto, host);

    [Fact]
    public async Task Twenty_rapid_wrong_sign_ins_from_one_client_get_429_with_retry_after_and_the_form_stays_reachable()
    {
        var client = Client();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;

        for (var i = 0; i < 20; i++)
        {
            var response = await client.SignInAsync($"nobody-{i}@example.com", "wrong password " + i);
            statuses.Add(response.StatusCode);
            limited ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var retryAfter = limited!.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(int.Parse(limited.Headers.GetValues("Retry-After").Single()));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        // The 20 GETs of the form were not counted, and still work.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/Account/Login")).StatusCode);
    }

    [Fact]
    public async Task X_forwarded_for_from_a_known_proxy_keys_the_limiter_so_other_clients_are_not_limited()
    {
        var first = Client();
        for (var i = 0; i < 11; i++)
        {
            await first.SignInAsync($"someone-{i}@example.com", "wrong password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.SignInAsync("someone@example.com", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client().SignInAsync("someone@example.com", "wrong password")).StatusCode);
    }

    [Fact]
    public async Task The_addresses_of_one_ipv6_64_share_one_budget_and_an_ipv4_address_is_one_client_in_either_spelling()
    {
        // An attacker with one IPv6 subscriber prefix holds 2^64 addresses: a new one per attempt.
        var ipv6 = new List<HttpStatusCode>();
        for (var i = 1; i <= 12; i++)
        {
            ipv6.Add((await Client($"2001:db8:64:64::{i:x}").SignInAsync($"spray-{i}@example.com", "wrong password")).StatusCode);
        }
        var otherPrefix = await Client("2001:db8:64:65::1").SignInAsync("spray@example.com", "wrong password");
        // The same IPv4 client written as an IPv4-mapped IPv6 address gets no second budget.
        var mixed = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            mixed.Add((await Client(i % 2 == 0 ? "203.0.113.64" : "::ffff:203.0.113.64").SignInAsync($"mixed-{i}@example.com", "wrong password")).StatusCode);
        }

        Assert.Equal(10, ipv6.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, ipv6.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, otherPrefix.StatusCode);
        Assert.Equal(2, mixed.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.True(app.Factory.WithDb(db => db.SignInThrottles.Any(t => t.Client == "2001:db8:64:64::/64")));
    }

    [Fact]
    public async Task One_account_name_is_limited_across_client_addresses()
    {
        var statuses = new List<HttpStatusCode>();
        for (var client = 0; client < 4; client++)
        {
            var from = Client();
            for (var i = 0; i < 8; i++)
            {
                statuses.Add((await from.SignInAsync("target@example.com", "guess " + i)).StatusCode);
            }
        }

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    // The page signs in the first of several account names; the per-account limit read them all
    // joined ("TARGET,DECOY-1"), so a second, changing name gave every attempt a budget of its own
    // (PROBE13). No browser sends two: refused before any limiter, in any spelling of the field.
    [Fact]
    public async Task A_sign_in_posting_the_account_name_twice_is_refused_with_400_so_a_decoy_name_cannot_escape_the_per_account_limit()
    {
        var statuses = new List<HttpStatusCode>();
        for (var client = 0; client < 4; client++)
        {
            var from = Client();
            for (var i = 0; i < 8; i++)
            {
                var page = await from.SendAsync(HttpMethod.Get, "/Account/Login");
                var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
                statuses.Add((await from.SendAsync(HttpMethod.Post, "/Account/Login", new FormUrlEncodedContent(
                [
                    new("Input.Email", "twice-named@example.com"),
                    new(i % 2 == 0 ? "Input.Email" : "input.EMAIL", $"decoy-{client}-{i}@example.com"),
                    new("Input.Password", "guess " + i),
                    new("__RequestVerificationToken", Http.AntiforgeryToken(await page.Content.ReadAsStringAsync())),
                ]), antiforgery)).StatusCode);
            }
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }

    [Fact]
    public async Task X_forwarded_proto_https_from_a_known_proxy_gives_secure_cookies_and_hsts()
    {
        var email = $"secure-{Guid.NewGuid():N}@example.com";
        await app.Factory.CreateUserAsync(email, Password, Roles.Editor);

        var overTls = await Client(proto: "https", host: "cms.example").SignInAsync(email, Password);
        var plain = await Client(host: "cms.example").SignInAsync(email, Password);

        Assert.Equal(HttpStatusCode.Redirect, overTls.StatusCode);
        var authCookie = overTls.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cms.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", authCookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(overTls.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain("secure", plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cms.auth=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_stranger_guessing_the_admins_password_locks_out_only_their_own_client()
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        await app.Factory.CreateUserAsync(email, Password, Roles.Admin);
        var stranger = Client();

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await stranger.SignInAsync(email, "guess number " + i)).StatusCode);
        }
        var strangerWithThePassword = await stranger.SignInAsync(email, Password);
        var admin = await Client().SignInAsync(email, Password);

        Assert.Equal(HttpStatusCode.OK, strangerWithThePassword.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Null(app.Factory.WithDb(db => db.Users.Single(u => u.Email == email).LockoutEnd));
    }

    [Fact]
    public async Task A_name_spelled_with_the_kelvin_sign_shares_the_lockout_of_the_plain_name()
    {
        var email = $"kk-{Guid.NewGuid():N}@example.com";
        // U+212A KELVIN SIGN: Identity normalizes it (NFC) to K, so it names the same account.
        var kelvin = "\u212A" + email[1..];
        await app.Factory.CreateUserAsync(email, Password, Roles.Publisher);
        var attacker = Client();

        for (var i = 0; i < 5; i++)
        {
            await attacker.SignInAsync(email, "guess number " + i);
        }
        var lockedKelvin = await attacker.SignInAsync(kelvin, Password);
        var lockedPlain = await attacker.SignInAsync(email, Password);
        var elsewhere = await Client().SignInAsync(kelvin, Password);

        Assert.Equal(HttpStatusCode.OK, lockedKelvin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, lockedPlain.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
        var throttle = Assert.Single(app.Factory.WithDb(db => db.SignInThrottles.Where(t => t.Account == email.ToUpperInvariant()).ToList()));
        Assert.Equal(7, throttle.Failures);
    }

    [Fact]
    public async Task A_request_for_another_host_is_refused_when_allowed_hosts_is_set()
    {
        var evil = await Client(host: "evil.example").SendAsync(HttpMethod.Get, "/");
        var ours = await Client(host: "cms.example").SendAsync(HttpMethod.Get, "/");

        Assert.Equal(HttpStatusCode.BadRequest, evil.StatusCode);
        Assert.Null(evil.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, ours.StatusCode);
        Assert.Equal("http://cms.example/Account/Login?ReturnUrl=%2F", ours.Headers.Location!.ToString());
    }

    [Fact]
    public async Task No_server_header_is_sent()
    {
        var response = await Client().SendAsync(HttpMethod.Get, "/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"));
    }

    // The sign-in form binds only "Input.*" fields: a form naming the account without the prefix
    // (which the per-account limiter, keyed on Input.Email, would not count) tries no password at
    // all, even the right one (REVIEW14).
    [Fact]
    public async Task A_sign_in_naming_the_account_without_the_input_prefix_tries_no_password()
    {
        var email = $"unprefixed-{Guid.NewGuid():N}@example.com";
        await app.Factory.CreateUserAsync(email, KnownProxyFixture.Password, Roles.Editor);
        var from = new RawClient(app.BaseAddress, RawClient.Address());
        var page = await from.SendAsync(HttpMethod.Get, "/Account/Login");
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        var response = await from.SendAsync(HttpMethod.Post, "/Account/Login", new FormUrlEncodedContent(
        [
            new("Email", email),
            new("Password", KnownProxyFixture.Password),
            new("__RequestVerificationToken", Http.AntiforgeryToken(await page.Content.ReadAsStringAsync())),
        ]), antiforgery);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("cms.auth=", StringComparison.Ordinal)));
    }
}

// The same headers from an address that is not a configured proxy: all ignored.
public sealed class UnknownProxyFixture : KestrelFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:KnownProxies"] = "10.9.9.9",
        ["AllowedHosts"] = "cms.example;localhost;127.0.0.1",
        ["RateLimit:LoginPerMinute"] = "10",
        ["RateLimit:LoginWindow"] = "01:00:00",
    };
}

public sealed class UnknownProxyTests(UnknownProxyFixture app) : IClassFixture<UnknownProxyFixture>
{
    [Fact]
    public async Task Forwarded_headers_from_an_unknown_address_are_ignored()
    {
        var email = $"plain-{Guid.NewGuid():N}@example.com";
        await app.Factory.CreateUserAsync(email, UnknownProxyFixture.Password, Roles.Editor);

        var signIn = await new RawClient(app.BaseAddress, RawClient.Address(), "https", "cms.example").SignInAsync(email, UnknownProxyFixture.Password);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            // A new X-Forwarded-For each time does not give a new bucket.
            statuses.Add((await new RawClient(app.BaseAddress, RawClient.Address()).SignInAsync(email, "wrong")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("secure", signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cms.auth=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.False(signIn.Headers.Contains("Strict-Transport-Security"));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        // Lockout and audit see the socket address, not the claimed one.
        Assert.True(app.Factory.WithDb(db => db.SignInThrottles.Any(t => t.Client == "127.0.0.1")));
    }
}

// The shipped defaults: no proxy configured, so no client is a proxy.
public sealed class NoProxyFixture : KestrelFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimit:LoginPerMinute"] = "10",
        ["RateLimit:LoginPerAccountPerMinute"] = "30",
    };
}

public sealed class NoProxyTests(NoProxyFixture app) : IClassFixture<NoProxyFixture>
{
    [Fact]
    public async Task With_the_default_settings_a_forged_host_header_gets_400_and_is_never_reflected()
    {
        var evil = await new RawClient(app.BaseAddress, host: "evil.example").SendAsync(HttpMethod.Get, "/");
        var ours = await new RawClient(app.BaseAddress).SendAsync(HttpMethod.Get, "/");

        Assert.Equal(HttpStatusCode.BadRequest, evil.StatusCode);
        Assert.Null(evil.Headers.Location);
        Assert.DoesNotContain("evil.example", await evil.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, ours.StatusCode);
        Assert.Equal(app.BaseAddress.Authority, ours.Headers.Location!.Authority);
    }

    [Fact]
    public async Task With_no_proxy_configured_forged_forwarded_headers_change_neither_limits_nor_lockout_nor_audit_nor_scheme()
    {
        var email = $"victim-{Guid.NewGuid():N}@example.com";
        var user = await app.Factory.CreateUserAsync(email, NoProxyFixture.Password, Roles.Publisher);
        var forged = new List<string>();
        RawClient Forged()
        {
            forged.Add(RawClient.Address());
            return new RawClient(app.BaseAddress, forged[^1], "https");
        }

        var signIn = await Forged().SignInAsync(email, NoProxyFixture.Password);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            // A new claimed address each time, as an attacker sidestepping a per-address limit would.
            statuses.Add((await Forged().SignInAsync(email, "wrong password " + i)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("secure", signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cms.auth=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.False(signIn.Headers.Contains("Strict-Transport-Security"));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var throttles = app.Factory.WithDb(db => db.SignInThrottles.Where(t => t.Account == email.ToUpperInvariant()).ToList());
        var throttle = Assert.Single(throttles);
        Assert.Equal("127.0.0.1", throttle.Client);
        Assert.NotNull(throttle.LockedUntil);
        var addresses = app.Factory.WithDb(db => db.AuditEvents.Where(e => e.EntityId == user.Id).Select(e => e.Ip).Distinct().ToList());
        Assert.Equal(["127.0.0.1"], addresses);
        Assert.DoesNotContain(forged, f => app.Factory.WithDb(db => db.AuditEvents.Any(e => e.Ip == f || e.Payload.Contains(f))));
    }
}
