using System.CommandLine;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

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
            using var host = CliHost.Build();
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
            var address = parse.GetRequiredValue(email);
            var roleName = parse.GetRequiredValue(role);
            var password = Setup.GeneratePassword();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var user = new CmsUser { UserName = address, Email = address, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
            Setup.Check(await manager.CreateAsync(user, password), address);
            Setup.Check(await manager.AddToRoleAsync(user, roleName), address);
            AuditLog.Add(db, "cli", "user.created", "user", user.Id, new { email = address, roles = new[] { roleName } });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Console.WriteLine($"created {address} ({roleName}); password: {password}");
            return CmsCli.Ok;
        });
        users.Add(add);

        var resetEmail = new Argument<string>("email");
        var reset = new Command("reset-password", "Set a new generated password and clear any lockout.") { resetEmail };
        reset.SetAction(async (parse, ct) =>
        {
            using var host = CliHost.Build();
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
            var address = parse.GetRequiredValue(resetEmail);
            var user = await manager.FindByEmailAsync(address);
            if (user is null)
            {
                Console.Error.WriteLine($"no account {address}");
                return CmsCli.UsageOrInfrastructure;
            }
            var password = Setup.GeneratePassword();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            Setup.Check(await manager.ResetPasswordAsync(user, await manager.GeneratePasswordResetTokenAsync(user), password), address);
            Setup.Check(await manager.SetLockoutEndDateAsync(user, null), address);
            AuditLog.Add(db, "cli", "user.password-reset", "user", user.Id, new { email = address });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            Console.WriteLine($"{address}: new password {password}");
            return CmsCli.Ok;
        });
        users.Add(reset);
        return users;
    }
}
