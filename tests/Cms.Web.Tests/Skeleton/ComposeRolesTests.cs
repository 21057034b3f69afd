using Cms.Web.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Cms.Web.Tests.Skeleton;

// The development machines have no Docker engine, so docker-compose.yml is kept correct by reading:
// this reads it as Compose would and checks the database roles it sets up (README "Database roles").
public sealed class ComposeRolesTests
{
    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repo.Root, "docker-compose.yml"))));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());

    [Fact]
    public void Compose_migrates_as_the_owner_in_a_service_of_its_own_and_runs_the_app_as_a_role_that_owns_nothing()
    {
        var services = Services();
        var migrate = (YamlMappingNode)services["migrate"];
        var app = (YamlMappingNode)services["app"];
        var init = File.ReadAllText(Path.Combine(Repo.Root, "deploy", "initdb", "10-cms-roles.sh"));

        Assert.Equal(["dotnet", "Cms.Web.dll", "migrate"], ((YamlSequenceNode)migrate["entrypoint"]).Select(n => n.ToString()));
        Assert.Contains("Username=cms_owner;", Environment(migrate)["ConnectionStrings__CmsOwner"]);
        Assert.Contains("Username=cms_app;", Environment(migrate)["ConnectionStrings__Cms"]);
        // The serving app knows no owner's password and starts only after the migrations succeeded.
        Assert.Contains("Username=cms_app;", Environment(app)["ConnectionStrings__Cms"]);
        Assert.DoesNotContain(Environment(app), e => e.Key.Contains("Owner", StringComparison.OrdinalIgnoreCase) || e.Value.Contains("cms_owner"));
        Assert.Equal("service_completed_successfully", ((YamlMappingNode)((YamlMappingNode)app["depends_on"])["migrate"])["condition"].ToString());
        // The anchors live on a volume of their own, outside the database.
        Assert.Equal("/var/lib/cms/audit-anchors", Environment(app)["Audit__AnchorFolder"]);
        Assert.Contains("anchors:/var/lib/cms/audit-anchors", ((YamlSequenceNode)app["volumes"]).Select(v => v.ToString()));
        // The database's first start creates both roles; the owner owns the database, the app nothing.
        Assert.Contains("CREATE ROLE cms_owner LOGIN", init);
        Assert.Contains("CREATE ROLE cms_app LOGIN", init);
        Assert.Contains("CREATE DATABASE cms OWNER cms_owner;", init);
    }

    [Fact]
    public void Compose_runs_a_second_instance_of_the_same_service_behind_haproxy_the_only_proxy_the_apps_believe()
    {
        var services = Services();
        var app = (YamlMappingNode)services["app"];
        var app2 = (YamlMappingNode)services["app2"];
        var haproxy = (YamlMappingNode)services["haproxy"];
        // app2 is app (a YAML merge of the same node), started once app is healthy.
        Assert.Same(app, app2["<<"]);
        Assert.Equal("service_healthy", ((YamlMappingNode)((YamlMappingNode)app2["depends_on"])["app"])["condition"].ToString());
        // Only the proxy is published; the apps are reached through it.
        Assert.False(app.Children.ContainsKey("ports"));
        Assert.Equal(["127.0.0.1:5080:8080"], ((YamlSequenceNode)haproxy["ports"]).Select(p => p.ToString()));
        var proxyAddress = ((YamlMappingNode)((YamlMappingNode)haproxy["networks"])["default"])["ipv4_address"].ToString();
        Assert.Equal("${CMS_KNOWN_PROXIES:-" + proxyAddress + "}", Environment(app)["Security__KnownProxies"]);
        // Both workers write to one shared folder.
        Assert.Contains("published:/var/lib/cms/published", ((YamlSequenceNode)app["volumes"]).Select(v => v.ToString()));
        Assert.Equal("/var/lib/cms/published", Environment(app)["Publishing__Folder"]);
        var config = File.ReadAllText(Path.Combine(Repo.Root, "deploy", "haproxy", "haproxy.cfg"));
        Assert.Contains("server app app:8080", config);
        Assert.Contains("server app2 app2:8080", config);
        Assert.Contains("./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro", ((YamlSequenceNode)haproxy["volumes"]).Select(v => v.ToString()));
    }
}
