using System.CommandLine;
using Cms.Application;
using Cms.Application.Users;
using Cms.Core.Security;

namespace Cms.Web.Cli;

public static class UsersCommands
{
    public static Command Build()
    {
        var users = new Command("users", "Manage back-office accounts.");

        var email = new Argument<string>("email");
        var role = new Option<string>("--role") { Description = "Admin, Publisher or Editor", DefaultValueFactory = _ => Roles.Editor };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var add = new Command("add", "Create an account; prints a generated password.") { email, role };
        add.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(email);
            var roleName = parse.GetRequiredValue(role);
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<UserAdministration>()
                .ProvisionAsync(Actor.CommandLine(), address, password: null, roleName, ct));
            if (!outcome.Succeeded)
            {
                return CmsCli.Report(outcome.Result);
            }
            Console.WriteLine($"created {address} ({roleName}); password: {outcome.Value!.Password}");
            return CmsCli.Ok;
        });
        users.Add(add);

        var resetEmail = new Argument<string>("email");
        var reset = new Command("reset-password", "Set a new generated password and clear any lockout.") { resetEmail };
        reset.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(resetEmail);
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<UserAdministration>()
                .ResetPasswordAsync(Actor.CommandLine(), address, password: null, reason: null, ct));
            if (!outcome.Succeeded)
            {
                Console.Error.WriteLine(outcome.Result.Message);
                return CmsCli.UsageOrInfrastructure;
            }
            Console.WriteLine($"{address}: new password {outcome.Value}");
            return CmsCli.Ok;
        });
        users.Add(reset);
        return users;
    }
}
