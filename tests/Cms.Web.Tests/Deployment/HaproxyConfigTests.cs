using System.Globalization;
using System.Text.RegularExpressions;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Deployment;

// What deploy/haproxy/haproxy.cfg (and the README's copy of it) promises beyond what
// TwoInstancesBehindHaproxyTests runs: an upload import, which answers only when it is done, is not
// cut off by the general server timeout. (A timeout can only be shown failing by waiting it out, so
// this reads the configuration HAProxy runs in that test, which would refuse a directive it cannot
// parse.)
public sealed partial class HaproxyConfigTests
{
    [GeneratedRegex(@"^\s*timeout server (\d+)s\s*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex General();

    [GeneratedRegex(@"^\s*http-request set-timeout server (\d+)m if \{ path_beg -i /Import \}\s*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Import();

    [Theory]
    [InlineData("deploy/haproxy/haproxy.cfg")]
    [InlineData("README.md")]
    public void Uploads_to_import_get_a_server_timeout_of_minutes_while_other_pages_keep_the_general_one(string file)
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, file));

        var general = General().Match(text);
        var import = Import().Match(text);

        Assert.True(general.Success, $"{file}: no general `timeout server`");
        Assert.True(import.Success, $"{file}: no `http-request set-timeout server ...m if {{ path_beg -i /Import }}`");
        Assert.True(int.Parse(import.Groups[1].Value, CultureInfo.InvariantCulture) * 60 >= 10 * int.Parse(general.Groups[1].Value, CultureInfo.InvariantCulture),
            $"{file}: the upload timeout ({import.Groups[1].Value} min) is not far above the general one ({general.Groups[1].Value} s)");
    }

    [Theory]
    [InlineData("deploy/haproxy/haproxy.cfg")]
    [InlineData("README.md")]
    public void The_proxy_replaces_a_clients_forwarded_scheme_with_its_own(string file)
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, file));

        Assert.Contains("http-request del-header X-Forwarded-Proto", text);
        Assert.Contains("http-request set-header X-Forwarded-Proto https if { ssl_fc }", text);
        Assert.Contains("http-request set-header X-Forwarded-Proto http if !{ ssl_fc }", text);
    }
}
