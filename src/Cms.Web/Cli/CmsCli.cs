using System.CommandLine;
using Cms.Application;
using Cms.Application.Setup;
using Cms.Application.Users;
using Cms.Web.Infrastructure;

namespace Cms.Web.Cli;

public static class CmsCli
{
    public const int Ok = 0;
    public const int Refused = 3;
    public const int UsageOrInfrastructure = 2;

    public static bool IsHostSettingsOnly(string[] args) =>
        args.Length > 0 && args.All(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('='));

    public static RootCommand Root()
    {
        var root = new RootCommand("Cms editorial back office");
        root.Add(MigrateCommand());
        root.Add(RunCommand());
        root.Add(UsersCommands.Build());
        root.Add(ImportCommands.Import());
        root.Add(ImportCommands.Export());
        root.Add(AuditCommands.Audit());
        root.Add(AuditCommands.Worker());
        root.Add(StoriesCommand.Build());
        root.Add(DeliveryCommands.Sites());
        root.Add(DeliveryCommands.Webhooks());
        root.Add(ItemsCommands.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // The command line reads and writes numbers one way, and speaks English like its own
        // messages, whatever the machine's locale (LANG=ru_RU.UTF-8 printed "5,0 s" and the
        // parser's errors in Russian).
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.CurrentCulture = invariant;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.CurrentUICulture = invariant;
        var root = Root();
        var parse = root.Parse(args);
        if (args.Length == 0 || parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }
            // Usage on standard error: the command did nothing.
            await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = Console.Error });
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

    // Prints the outcome of a handler and turns it into an exit code.
    public static int Report(Outcome outcome)
    {
        if (outcome.Succeeded)
        {
            if (outcome.Message is { Length: > 0 } message)
            {
                Console.WriteLine(message);
            }
            return Ok;
        }
        Console.Error.WriteLine(outcome.Message);
        return outcome.Status == OutcomeStatus.Invalid ? Refused : UsageOrInfrastructure;
    }

    private static Command MigrateCommand()
    {
        var command = new Command("migrate", "Apply database migrations and make sure a data-protection key exists.");
        command.SetAction(async (_, ct) =>
        {
            await CliHost.RunAsync(async s =>
            {
                await s.GetRequiredService<DatabaseSetup>().MigrateLockedAsync(ct);
                return 0;
            });
            Console.WriteLine("database is up to date");
            return Ok;
        });
        return command;
    }

    public const string DefaultAdminEmail = "admin@cms.local";

    private static Command RunCommand()
    {
        var samples = new Option<DirectoryInfo?>("--samples") { Description = "Folder of items loaded when the database holds none." };
        var command = new Command("run", "Migrate, ensure the admin account, load samples on first run, then serve.") { samples };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var urls = Environment.GetEnvironmentVariable("CMS_URLS") is { Length: > 0 } u ? u : "http://127.0.0.1:5080";
            var email = Environment.GetEnvironmentVariable("CMS_ADMIN_EMAIL") is { Length: > 0 } e ? e : DefaultAdminEmail;
            var password = Environment.GetEnvironmentVariable("CMS_ADMIN_PASSWORD") is { Length: > 0 } p ? p : null;
            string adminLine;
            using (var host = CliHost.Build())
            {
                await using var setup = await DatabaseSetup.LockAsync(host.Services.GetRequiredService<IConfiguration>(), ct);
                using (var scope = host.Services.CreateScope())
                {
                    await scope.ServiceProvider.GetRequiredService<DatabaseSetup>().MigrateAsync(ct);
                }
                using (var scope = host.Services.CreateScope())
                {
                    adminLine = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
                        .EnsureAdminAsync(Actor.System("setup"), email, password, ct);
                }
                if (parse.GetValue(samples) is { Exists: true } folder)
                {
                    using var scope = host.Services.CreateScope();
                    if (await scope.ServiceProvider.GetRequiredService<DatabaseSetup>().LoadSamplesOnFirstRunAsync(folder.FullName, ct) is { } loaded)
                    {
                        Console.WriteLine(loaded);
                    }
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
