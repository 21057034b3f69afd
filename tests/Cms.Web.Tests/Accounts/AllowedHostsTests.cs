using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cms.Web.Tests.Accounts;

public sealed class AllowedHostsTests
{
    [Fact]
    public void The_hosts_the_app_listens_on_join_the_configured_ones_and_wildcard_bindings_add_nothing()
    {
        var hosts = AllowedHosts.With("localhost;127.0.0.1;[::1]", "http://192.0.2.5:5080;https://cms.example;http://0.0.0.0:8080;http://*:81;http://+:82;http://[::]:83;http://[2001:db8::5]:84;http://LOCALHOST:85");

        Assert.Equal("localhost;127.0.0.1;[::1];192.0.2.5;cms.example;[2001:db8::5]", hosts);
    }

    [Fact]
    public void A_configured_star_stays_a_star()
    {
        Assert.Equal("*", AllowedHosts.With("*", "http://cms.example:5080"));
    }

    [Fact]
    public void The_app_cms_run_builds_answers_to_its_own_host_and_the_loopback_defaults_only()
    {
        // What `./cms run` does with CMS_URLS: the app is built, not started, so no database is reached.
        var app = CmsApp.Build(["--ConnectionStrings:Cms=Host=127.0.0.1;Database=unused"], "http://cms-run.example:5999");

        var allowed = app.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value.AllowedHosts;

        Assert.Equal(["localhost", "127.0.0.1", "[::1]", "cms-run.example"], allowed);
    }
}
