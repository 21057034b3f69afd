using Cms.Application.Links;
using Cms.Core.Links;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Application.Tests.Links;

// Outbound__AllowPrivateNetworks left off, as in production.
public sealed class GuardedLinkCheckFixture : ApplicationFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-01-05T10:00:00Z"));

    protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

// The link checker goes through the shared SSRF guard (OutboundGuard): a related link pointing at
// a loopback or private address is refused without a request. (That a host name resolving to such
// an address is refused where the connection is made is OutboundGuard's own test on main.)
public sealed class LinkCheckerGuardTests(GuardedLinkCheckFixture fixture) : IClassFixture<GuardedLinkCheckFixture>
{
    [Fact]
    public async Task Links_to_loopback_and_private_addresses_are_refused_and_the_server_is_never_asked()
    {
        // A real server on loopback that would answer 200: only the guard stands between.
        await using var site = await LinkSite.StartAsync("127.0.0.9", fixture.Clock, app => app.MapMethods("/{**path}", ["GET", "HEAD"], c => LinkSite.Html(c, "Internal admin")));
        var literal = site.Url("/admin");
        var named = $"http://localhost:{site.BaseUri.Port}/admin";
        const string privateNetwork = "http://10.20.30.40/admin";
        await fixture.ImportAsync(new TestItem { Related = [("a", literal), ("b", named), ("d", privateNetwork)] }.ToYaml());

        var loop = fixture.Services.GetRequiredService<LinkCheckLoop>();
        for (var i = 0; i < 10; i++)
        {
            await loop.RoundAsync(CancellationToken.None);
            fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        }

        var checks = fixture.Read(db => db.LinkChecks.ToList()).ToDictionary(c => c.Url);
        foreach (var url in new[] { literal, named, privateNetwork })
        {
            var check = checks[LinkRules.Key(url)!];
            Assert.True(check.Status == nameof(LinkHealth.Refused), $"{url}: {check.Status} ({check.Detail})");
        }
        Assert.Contains("loopback", checks[LinkRules.Key(literal)!].Detail);
        Assert.Contains("private", checks[LinkRules.Key(privateNetwork)!].Detail);
        Assert.Contains("Outbound__AllowPrivateNetworks is off", checks[LinkRules.Key(named)!].Detail);
        Assert.Empty(site.Requests);
    }
}
