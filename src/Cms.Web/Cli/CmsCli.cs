using System.CommandLine;
using Cms.Web.Infrastructure;

namespace Cms.Web.Cli;

public static class CmsCli
{
    public const int Ok = 0;
    public const int Refused = 3;
    public const int UsageOrInfrastructure = 2;

    private static readonly HashSet<string> Commands = ["migrate", "run", "users", "import", "export", "bench", "--help", "-h", "-?"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Cms editorial back office");
        root.Add(MigrateCommand());
        root.Add(RunCommand());
        root.Add(UsersCommands.Build());
        root.Add(ImportCommands.Import());
        root.Add(ImportCommands.Export());
        root.Add(BenchCommands.Build());

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }
            Console.Error.WriteLine("Run './cms --help' for usage.");
            return UsageOrInfrastructure;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            return UsageOrInfrastructure;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return UsageOrInfrastructure;
        }
    }

    private static Command MigrateCommand()
    {
        var command = new Command("migrate", "Apply database migrations and make sure a data-protection key exists.");
        command.SetAction(async (_, ct) =>
        {
            using var host = CliHost.Build();
            await Setup.MigrateAsync(host.Services, ct);
            Console.WriteLine("database is up to date");
            return Ok;
        });
        return command;
    }

    private static Command RunCommand()
    {
        var samples = new Option<DirectoryInfo?>("--samples") { Description = "Folder of items loaded when the database holds none." };
        var command = new Command("run", "Migrate, ensure the admin account, load samples on first run, then serve.") { samples };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var urls = Environment.GetEnvironmentVariable("CMS_URLS") is { Length: > 0 } u ? u : "http://127.0.0.1:5080";
            string adminLine;
            using (var host = CliHost.Build())
            {
                await Setup.MigrateAsync(host.Services, ct);
                adminLine = await Setup.EnsureAdminAsync(host.Services, ct);
                if (parse.GetValue(samples) is { Exists: true } folder)
                {
                    await Setup.LoadSamplesOnFirstRunAsync(host.Services, folder.FullName, ct);
                }
            }
            var app = CmsApp.Build(parse.UnmatchedTokens.ToArray(), urls);
            await app.StartAsync(ct);
            Console.WriteLine($"Cms is serving on {string.Join(", ", urls.Split(';'))}");
            Console.WriteLine(adminLine);
            Console.WriteLine("Press Ctrl-C to stop.");
            await app.WaitForShutdownAsync(ct);
            return Ok;
        });
        return command;
    }
}
