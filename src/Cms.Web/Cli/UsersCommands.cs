using System.CommandLine;
using Cms.Application;
using Cms.Application.Users;
using Cms.Core.Security;

namespace Cms.Web.Cli;

// `./cms users ...`: the same UserAdministration and UserSessions handlers as the pages, with the
// OS user as the actor (cli:<name>) in the audit trail.
public static class UsersCommands
{
    public static Command Build()
    {
        var users = new Command("users", "Manage back-office accounts.");
        users.Add(Add());
        users.Add(List());
        users.Add(SetRoles());
        users.Add(Simple("lock", "Lock an account until it is unlocked; its sessions end.", (a, actor, id, ct) => a.LockAsync(actor, id, ct)));
        users.Add(Simple("unlock", "Unlock an account and clear failed sign-ins.", (a, actor, id, ct) => a.UnlockAsync(actor, id, ct)));
        users.Add(Simple("disable", "Disable an account; its sessions end.", (a, actor, id, ct) => a.DisableAsync(actor, id, ct)));
        users.Add(Simple("enable", "Enable a disabled account.", (a, actor, id, ct) => a.EnableAsync(actor, id, ct)));
        users.Add(ResetPassword());
        users.Add(Sessions());
        return users;
    }

    private static Option<bool> PasswordStdin() => new("--password-stdin") { Description = "Read the password from standard input (one line) instead of generating one." };

    private static async Task<string?> ReadPasswordAsync(bool fromStdin, CancellationToken ct) =>
        fromStdin ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') : null;

    private static Command Add()
    {
        var email = new Argument<string>("email");
        var role = new Option<string[]>("--role") { Description = "Admin, Publisher or Editor (repeat for several)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true, Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var stdin = PasswordStdin();
        var add = new Command("add", "Create an account; prints a generated password unless --password-stdin.") { email, role, stdin };
        add.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(email);
            var roles = parse.GetRequiredValue(role);
            var password = await ReadPasswordAsync(parse.GetValue(stdin), ct);
            if (parse.GetValue(stdin) && string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("no password on standard input");
                return CmsCli.UsageOrInfrastructure;
            }
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<UserAdministration>()
                .ProvisionAsync(Actor.CommandLine(), address, password, roles, issueLink: false, ct));
            if (!outcome.Succeeded)
            {
                return CmsCli.Report(outcome.Result);
            }
            Console.WriteLine(outcome.Value!.Generated
                ? $"created {address} ({string.Join(", ", roles)}); password: {outcome.Value.Password}"
                : $"created {address} ({string.Join(", ", roles)})");
            return CmsCli.Ok;
        });
        return add;
    }

    private static Command List()
    {
        var search = new Option<string?>("--search") { Description = "Only accounts whose email contains this." };
        var list = new Command("list", "List accounts: email, roles, status, two-factor, last sign-in.") { search };
        list.SetAction(async (parse, ct) =>
        {
            var page = await CliHost.RunAsync(s => s.GetRequiredService<UserList>().SearchAsync(parse.GetValue(search), 1, int.MaxValue, ct));
            foreach (var row in page.Rows)
            {
                Console.WriteLine($"{row.Email}\t{string.Join(",", row.Roles)}\t{row.Status}\t2fa:{(row.TwoFactor ? "on" : "off")}\t{row.LastSignInAt?.ToString("u") ?? "never"}");
            }
            return CmsCli.Ok;
        });
        return list;
    }

    private static Command SetRoles()
    {
        var email = new Argument<string>("email");
        var roles = new Argument<string[]>("roles") { Arity = ArgumentArity.OneOrMore, Description = "Admin, Publisher, Editor" };
        roles.AcceptOnlyFromAmong([.. Roles.All]);
        var command = new Command("set-roles", "Replace an account's roles; its sessions end.") { email, roles };
        command.SetAction(async (parse, ct) => await OnUserAsync(parse.GetRequiredValue(email), ct,
            (s, id) => s.GetRequiredService<UserAdministration>().SetRolesAsync(Actor.CommandLine(), id, parse.GetRequiredValue(roles), ct)));
        return command;
    }

    private static Command Simple(string name, string description, Func<UserAdministration, Actor, string, CancellationToken, Task<Outcome>> run)
    {
        var email = new Argument<string>("email");
        var command = new Command(name, description) { email };
        command.SetAction(async (parse, ct) => await OnUserAsync(parse.GetRequiredValue(email), ct,
            (s, id) => run(s.GetRequiredService<UserAdministration>(), Actor.CommandLine(), id, ct)));
        return command;
    }

    private static Command ResetPassword()
    {
        var email = new Argument<string>("email");
        var stdin = PasswordStdin();
        var reset = new Command("reset-password", "Set a new password (generated, or from --password-stdin), clear any lockout and end the account's sessions.") { email, stdin };
        reset.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(email);
            var password = await ReadPasswordAsync(parse.GetValue(stdin), ct);
            if (parse.GetValue(stdin) && string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("no password on standard input");
                return CmsCli.UsageOrInfrastructure;
            }
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<UserAdministration>()
                .ResetPasswordAsync(Actor.CommandLine(), address, password, reason: null, ct));
            if (!outcome.Succeeded)
            {
                return CmsCli.Report(outcome.Result);
            }
            Console.WriteLine(password is null ? $"{address}: new password {outcome.Value}" : $"{address}: password set");
            return CmsCli.Ok;
        });
        return reset;
    }

    private static Command Sessions()
    {
        var email = new Argument<string>("email");
        var endAll = new Option<bool>("--end-all") { Description = "End every session of the account." };
        var command = new Command("sessions", "List an account's active sessions, or end them all.") { email, endAll };
        command.SetAction(async (parse, ct) => await OnUserAsync(parse.GetRequiredValue(email), ct, async (s, id) =>
        {
            var sessions = s.GetRequiredService<UserSessions>();
            if (parse.GetValue(endAll))
            {
                return await sessions.EndAllAsync(Actor.CommandLine(), id, ct);
            }
            foreach (var row in await sessions.ListAsync(id, ct))
            {
                Console.WriteLine($"{row.LastSeenAt:u}\t{row.Ip}\t{row.UserAgent}");
            }
            return Outcome.Ok();
        }));
        return command;
    }

    // Finds the account by email, runs the change and reports it.
    private static async Task<int> OnUserAsync(string email, CancellationToken ct, Func<IServiceProvider, string, Task<Outcome>> run)
    {
        var outcome = await CliHost.RunAsync(async s =>
            await s.GetRequiredService<UserAdministration>().FindIdAsync(email, ct) is { } id
                ? await run(s, id)
                : Outcome.NotFound($"no account {email}"));
        return CmsCli.Report(outcome);
    }
}
