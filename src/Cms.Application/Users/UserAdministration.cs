using System.Security.Cryptography;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// Accounts and their roles, for the users page, the command line and first-run set-up. Each
// change is one transaction with its audit event.
public sealed class UserAdministration(CmsDbContext db, UserManager<CmsUser> users)
{
    public sealed record Provisioned(CmsUser User, string Password, bool Generated);

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    // The one place an account is created. Without a password, one is generated and returned.
    public async Task<Outcome<Provisioned>> ProvisionAsync(Actor actor, string email, string? password, string role, CancellationToken ct)
    {
        if (await RefuseAsync(actor, "user.create", null, ct) is { } refused)
        {
            return refused;
        }
        if (!Roles.All.Contains(role))
        {
            return Outcome.Invalid("Role", "Choose Admin, Publisher or Editor.");
        }
        var generated = password is null;
        password ??= GeneratePassword();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new CmsUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            result = await users.AddToRoleAsync(user, role);
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        AuditLog.Add(db, actor, AuditActions.UserCreated, AuditTargets.User, user.Id, new { email, roles = new[] { role } });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Provisioned>.Ok(new Provisioned(user, password, generated), $"Created {email} as {role}.");
    }

    // One role per account. The last admin cannot be demoted, so the back office always has one.
    public async Task<Outcome> ChangeRoleAsync(Actor actor, string userId, string role, CancellationToken ct)
    {
        if (await RefuseAsync(actor, "user.role-change", userId, ct) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByIdAsync(userId);
        if (user is null || !Roles.All.Contains(role))
        {
            return Outcome.NotFound();
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && role != Roles.Admin && (await users.GetUsersInRoleAsync(Roles.Admin)).Count == 1)
        {
            return Outcome.Invalid("Role", $"{user.Email} is the last admin; make someone else admin first.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await users.RemoveFromRolesAsync(user, current);
        if (result.Succeeded)
        {
            result = await users.AddToRoleAsync(user, role);
        }
        if (result.Succeeded)
        {
            // A new security stamp signs the account out elsewhere, so old role claims do not linger.
            result = await users.UpdateSecurityStampAsync(user);
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        AuditLog.Add(db, actor, AuditActions.UserRoleChanged, AuditTargets.User, user.Id, new { email = user.Email, before = current, after = role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"{user.Email} is now {role}.");
    }

    public async Task<Outcome> UnlockAsync(Actor actor, string userId, CancellationToken ct)
    {
        if (await RefuseAsync(actor, "user.unlock", userId, ct) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Outcome.NotFound();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await users.SetLockoutEndDateAsync(user, null);
        if (result.Succeeded)
        {
            result = await users.ResetAccessFailedCountAsync(user);
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        AuditLog.Add(db, actor, AuditActions.UserUnlocked, AuditTargets.User, user.Id, new { email = user.Email });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"{user.Email} is unlocked.");
    }

    // Sets the given password (or a generated one, returned) and clears any lockout.
    public async Task<Outcome<string>> ResetPasswordAsync(Actor actor, string email, string? password, string? reason, CancellationToken ct)
    {
        if (await RefuseAsync(actor, "user.password-reset", null, ct) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            return Outcome.NotFound($"no account {email}");
        }
        password ??= GeneratePassword();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), password);
        if (result.Succeeded)
        {
            result = await users.SetLockoutEndDateAsync(user, null);
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        AuditLog.Add(db, actor, AuditActions.UserPasswordReset, AuditTargets.User, user.Id, new { email, reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<string>.Ok(password, $"{email}: password reset.");
    }

    // First-run and every-run set-up: the admin account exists, holds the Admin role and, when a
    // password is configured, has that password. Returns the line to print about the login.
    public async Task<string> EnsureAdminAsync(Actor actor, string email, string? password, CancellationToken ct)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            var created = await ProvisionAsync(actor, email, password, Roles.Admin, ct);
            Check(created.Result, email);
            return created.Value!.Generated
                ? $"Admin login: {email} / {created.Value.Password}  (generated now and shown only once; set CMS_ADMIN_PASSWORD to choose it)"
                : $"Admin login: {email} (password from CMS_ADMIN_PASSWORD)";
        }
        string line;
        if (password is not null && !await users.CheckPasswordAsync(user, password))
        {
            Check((await ResetPasswordAsync(actor, email, password, "CMS_ADMIN_PASSWORD changed", ct)).Result, email);
            line = $"Admin login: {email} (password reset to CMS_ADMIN_PASSWORD)";
        }
        else
        {
            line = password is null
                ? $"Admin login: {email} (password as printed on first run; './cms users reset-password {email}' sets a new one)"
                : $"Admin login: {email} (password from CMS_ADMIN_PASSWORD)";
        }
        if (!await users.IsInRoleAsync(user, Roles.Admin))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await users.AddToRoleAsync(user, Roles.Admin);
            if (!result.Succeeded)
            {
                Check(Invalid(result), email);
            }
            AuditLog.Add(db, actor, AuditActions.UserRoleAdded, AuditTargets.User, user.Id, new { email, role = Roles.Admin });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return line;
    }

    private static void Check(Outcome outcome, string email)
    {
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"{email}: {outcome.Message}");
        }
    }

    private static Outcome Invalid(IdentityResult result) =>
        Outcome.Invalid(result.Errors.Select(e => new FieldError("", e.Description)).ToList());

    private async Task<Outcome?> RefuseAsync(Actor actor, string attempted, string? userId, CancellationToken ct)
    {
        if (actor.Can(Permissions.ManageUsers))
        {
            return null;
        }
        await AuditLog.RefusedAsync(db, actor, attempted, AuditTargets.User, userId, $"{Permissions.ManageUsers} required", ct);
        return Outcome.Forbidden($"Managing accounts needs the {Permissions.ManageUsers} permission.");
    }
}
