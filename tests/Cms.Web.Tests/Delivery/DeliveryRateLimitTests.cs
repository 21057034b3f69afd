using System.Net;
using Cms.Application.Delivery;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

// Three requests per token in a window far longer than the test, so no window rolls over under it.
public sealed class DeliveryRateLimitFixture : DeliveryFixture
{
    public const int PerWindow = 3;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["RateLimit:DeliveryPerMinute"] = PerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimit:DeliveryWindow"] = "01:00:00",
    };
}

public sealed class DeliveryRateLimitTests(DeliveryRateLimitFixture app) : WebTest(app), IClassFixture<DeliveryRateLimitFixture>
{
    [Fact]
    public async Task A_token_past_its_limit_gets_429_with_Retry_After_while_other_tokens_keep_their_own_budget()
    {
        var token = await app.SiteTokenAsync();
        var other = await app.SiteTokenAsync();
        var urls = new[] { "/api/v1/published", "/api/v1/feeds/atom", "/api/v1/feeds/json" };
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Api(token).GetAsync(url)).StatusCode);
        }
        foreach (var url in urls.Append("/api/v1/published/1"))
        {
            var refused = await app.Api(token).GetAsync(url);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            // The window is an hour: the client is told to come back when it reopens, not at once.
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromMinutes(50), TimeSpan.FromHours(1));
            Assert.Contains("retry later", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await app.Api(other).GetAsync("/api/v1/published")).StatusCode);
    }

    [Fact]
    public async Task A_rotated_token_has_its_own_budget_and_unknown_tokens_stay_401_not_429()
    {
        var name = "rotating-" + Guid.NewGuid().ToString("N")[..8];
        var first = await app.SiteTokenAsync(name);
        for (var i = 0; i < DeliveryRateLimitFixture.PerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Api(first).GetAsync("/api/v1/published")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await app.Api(first).GetAsync("/api/v1/published")).StatusCode);
        var rotated = (await app.RunAsync(s => s.GetRequiredService<DeliverySites>().RotateAsync(Actor.CommandLine(), name, TimeSpan.FromHours(1), CancellationToken.None))).Value!;
        Assert.Equal(HttpStatusCode.OK, (await app.Api(rotated).GetAsync("/api/v1/published")).StatusCode);

        var wrong = DeliverySites.TokenPrefix + "made-up-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i <= DeliveryRateLimitFixture.PerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(wrong).GetAsync("/api/v1/published")).StatusCode);
        }
    }
}
