using Cms.Web.Cli;
using Cms.Web.Infrastructure;

// One binary: with a subcommand it is the command line (migrate, run, import, ...); without one
// it serves the back office (that is also how WebApplicationFactory starts it).
if (CmsCli.IsCommand(args))
{
    return await CmsCli.RunAsync(args);
}

await CmsApp.Build(args).RunAsync();
return 0;

public partial class Program;
