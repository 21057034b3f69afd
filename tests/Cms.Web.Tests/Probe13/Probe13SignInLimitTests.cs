using System.Net;
using Cms.Web.Tests.Accounts;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Probe13;

// Behind a known proxy at 127.0.0.1 (the test), so each attempt may come from a client address of
// its own, with a per-account limit below the per-address one times the number of clients.
public sealed class Probe13SignInLimitFixture : KestrelFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:KnownProxies"] = "127.0.0.1, ::1",
        ["RateLimit:LoginPerMinute"] = "10",
        ["RateLimit:LoginPerAccountPerMinute"] = "30",
        ["RateLimit:LoginWindow"] = "01:00:00",
    };
}

// PROBE13 evidence: the per-account sign-in limit reads the raw form value (every Input.Email joined
// by commas), while the sign-in itself binds the first value, so a second, changing Input.Email in
// each POST gives every attempt on one account a budget of its own.
public sealed class Probe13SignInLimitTests(Probe13SignInLimitFixture app) : IClassFixture<Probe13SignInLimitFixture>
{
    private static async Task<HttpResponseMessage> SignInTwiceNamedAsync(RawClient client, string email, string decoy, string password)
    {
        var page = await client.SendAsync(HttpMethod.Get, "/Account/Login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        return await client.SendAsync(HttpMethod.Post, "/Account/Login", new FormUrlEncodedContent(
        [
            new("Input.Email", email),
            new("Input.Email", decoy),
            new("Input.Password", password),
            new("__RequestVerificationToken", Http.AntiforgeryToken(await page.Content.ReadAsStringAsync())),
        ]), antiforgery);
    }

    [Fact]
    public async Task One_account_name_is_limited_across_client_addresses_when_the_name_field_is_posted_twice()
    {
        var statuses = new List<HttpStatusCode>();
        for (var client = 0; client < 4; client++)
        {
            var from = new RawClient(app.BaseAddress, RawClient.Address());
            for (var i = 0; i < 8; i++)
            {
                statuses.Add((await SignInTwiceNamedAsync(from, "probe13-target@example.com", $"decoy-{client}-{i}", "guess " + i)).StatusCode);
            }
        }

        // Observed: (32, 0), each POST keyed "PROBE13-TARGET@EXAMPLE.COM,DECOY-c-i"; expected as for one
        // name (ForwardedHeadersTests.One_account_name_is_limited_across_client_addresses): (30, 2).
        Assert.Equal((30, 2), (statuses.Count(s => s == HttpStatusCode.OK), statuses.Count(s => s == HttpStatusCode.TooManyRequests)));
    }
}
