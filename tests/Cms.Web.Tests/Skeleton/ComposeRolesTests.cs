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
}
