using System.CommandLine;

namespace Cms.Web.Cli;

public static class ImportBench
{
    public static Command Command()
    {
        var command = new Command("import", "Generate items and time their import against plain COPY.");
        command.SetAction(_ => CmsCli.UsageOrInfrastructure);
        return command;
    }
}
