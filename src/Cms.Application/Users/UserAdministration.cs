using System.Security.Cryptography;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// Accounts and their roles, for the users pages, the command line and first-run set-up. Each
// change is one transaction with its audit event; a change that takes rights away (roles, disable,
// lock, password) ends the account's sessions in the same transaction.
public sealed partial class UserAdministration(CmsDbContext db, UserManager<CmsUser> users)
{
    public sealed record Provisioned(CmsUser User, string? Password, bool Generated, string? SetPasswordToken);

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    public Task<Outcome<Provisioned>> ProvisionAsync(Actor actor, string email, string? password, string role, CancellationToken ct) =>
        ProvisionAsync(actor, email, password, [role], issueLink: false, ct);

    // The one place an account is created. Without a password either one is generated and returned,
    // or (issueLink) the account gets none and a one-time set-password token valid 24 h is returned.
    public async Task<Outcome<Provisioned>> ProvisionAsync(Actor actor, string email, string? password, IReadOnlyList<string> roles, bool issueLink, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.UserCreated, null, ct) is { } refused)
        {
            return refused;
        }
        if (ValidRoles(roles) is { } invalid)
        {
            return invalid;
        }
        var generated = password is null && !issueLink;
        if (generated)
        {
            password = GeneratePassword();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new CmsUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, roles.Distinct());
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        AuditLog.Add(db, actor, AuditActions.UserCreated, AuditTargets.User, user.Id, new { email, roles, setPasswordLink = password is null });
        string? token = null;
        if (password is null)
        {
            token = await SetPasswordToken.IssueAsync(users, user);
            AuditLog.Add(db, actor, AuditActions.UserSetPasswordLinkIssued, AuditTargets.User, user.Id, new { email });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Provisioned>.Ok(new Provisioned(user, password, generated, token), $"Created {email} as {string.Join(", ", roles)}.");
    }

    // Sets the given password (or a generated one, returned), clears any lockout and ends the
    // account's sessions.
    public async Task<Outcome<string>> ResetPasswordAsync(Actor actor, string email, string? password, string? reason, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.UserPasswordReset, null, ct) is { } refused)
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
        if (result.Succeeded)
        {
            result = await users.ResetAccessFailedCountAsync(user);
        }
        if (!result.Succeeded)
        {
            return Invalid(result);
        }
        await ClearThrottlesAsync(user, ct);
        AuditLog.Add(db, actor, AuditActions.UserPasswordReset, AuditTargets.User, user.Id, new { email, reason });
        await db.SaveChangesAsync(ct);
        await UserSessions.EndAllInTransactionAsync(db, actor, user.Id, "password reset", ct);
        await tx.CommitAsync(ct);
        return Outcome<string>.Ok(password, $"{email}: password reset.");
    }

    // First-run and every-run set-up: the admin account exists, holds the Admin role and, when a
    // password is configured, has that password. Returns the line to print about the login.
    // Two instances starting together on an empty database both look for the admin: one at a time
    // (a session advisory lock on this context's connection, which the account's own transactions
    // then use), so the second finds the account the first created instead of creating another or
    // failing on the unique name.
    private const long EnsureAdminLockKey = 0x636d735f656e61; // "cms_ena"

    public async Task<string> EnsureAdminAsync(Actor actor, string email, string? password, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({EnsureAdminLockKey})", ct);
            try
            {
                return await EnsureAdminLockedAsync(actor, email, password, ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({EnsureAdminLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<string> EnsureAdminLockedAsync(Actor actor, string email, string? password, CancellationToken ct)
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

    public async Task<string?> FindIdAsync(string email, CancellationToken ct)
    {
        var normalized = users.NormalizeEmail(email);
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleOrDefaultAsync(ct);
    }

    private async Task ClearThrottlesAsync(CmsUser user, CancellationToken ct)
    {
        var keys = new[] { user.UserName, user.Email }.Where(k => k is not null).Select(k => SignInRecords.AccountKey(k!)).Distinct().ToList();
        await db.SignInThrottles.Where(t => keys.Contains(t.Account)).ExecuteDeleteAsync(ct);
    }

    private static Outcome? ValidRoles(IReadOnlyList<string> roles) =>
        roles.Count == 0 || roles.Any(r => !Roles.All.Contains(r))
            ? Outcome.Invalid("Roles", "Choose one or more of Admin, Publisher, Editor.")
            : null;

    private static void Check(Outcome outcome, string email)
    {
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"{email}: {outcome.Message}");
        }
    }

    private static Outcome Invalid(IdentityResult result) =>
        Outcome.Invalid(result.Errors.Select(e => new FieldError("", e.Description)).ToList());

    private Task<Outcome?> RefuseAsync(Actor actor, string attempted, string? userId, CancellationToken ct) =>
        Guard.RequireAsync(db, actor, Permissions.ManageUsers, "Managing accounts", new Attempt(attempted, AuditTargets.User, userId), ct);
}
