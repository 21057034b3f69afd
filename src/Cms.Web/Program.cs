using Cms.Web.Cli;
using Cms.Web.Infrastructure;

// One binary, driven by an explicit command (./cms run, import, users, ...). The one exception is
// a start with only host settings (--key=value), which is how WebApplicationFactory and a
// container's plain `dotnet Cms.Web.dll --urls=...` start the web app; anything else unknown is a
// usage error, so a typo never starts a server.
if (CmsCli.IsHostSettingsOnly(args))
{
    await CmsApp.Build(args).RunAsync();
    return 0;
}
return await CmsCli.RunAsync(args);

public partial class Program;
