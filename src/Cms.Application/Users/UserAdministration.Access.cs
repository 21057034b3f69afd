using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Cms.Application.Users;

// Changes to what an account may do. Each runs in one transaction; those that can take an admin
// away run under AdminGuard's lock and refuse to leave the back office without an active admin.
public sealed partial class UserAdministration
{
    public async Task<Outcome> SetRolesAsync(Actor actor, string userId, IReadOnlyList<string> roles, CancellationToken ct)
    {
        if (ValidRoles(roles) is { } invalid)
        {
            return await RefuseAsync(actor, AuditActions.UserRoleChanged, userId, ct) ?? invalid;
        }
        return await ApplyAsync(actor, AuditActions.UserRoleChanged, userId, guardAdmins: !roles.Contains(Roles.Admin), endSessions: "roles changed", async user =>
        {
            var current = await users.GetRolesAsync(user);
            var wanted = roles.Distinct().ToList();
            var result = await users.RemoveFromRolesAsync(user, current.Except(wanted));
            if (result.Succeeded)
            {
                result = await users.AddToRolesAsync(user, wanted.Except(current));
            }
            Succeeded(result);
            return (AuditActions.UserRoleChanged, new { email = user.Email, before = current, after = wanted }, $"{user.Email} is now {string.Join(", ", wanted)}.");
        }, ct);
    }

    public Task<Outcome> LockAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserLocked, userId, guardAdmins: true, endSessions: "account locked", async user =>
        {
            Succeeded(await users.SetLockoutEnabledAsync(user, true));
            // Until an admin unlocks it.
            Succeeded(await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddYears(100)));
            return (AuditActions.UserLocked, new { email = user.Email }, $"{user.Email} is locked.");
        }, ct);

    public Task<Outcome> UnlockAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserUnlocked, userId, guardAdmins: false, endSessions: null, async user =>
        {
            Succeeded(await users.SetLockoutEndDateAsync(user, null));
            Succeeded(await users.ResetAccessFailedCountAsync(user));
            await ClearThrottlesAsync(user, CancellationToken.None);
            return (AuditActions.UserUnlocked, new { email = user.Email }, $"{user.Email} is unlocked.");
        }, ct);

    public Task<Outcome> DisableAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserDisabled, userId, guardAdmins: true, endSessions: "account disabled", async user =>
        {
            user.DisabledAt = DateTimeOffset.UtcNow;
            Succeeded(await users.UpdateSecurityStampAsync(user));
            return (AuditActions.UserDisabled, new { email = user.Email }, $"{user.Email} is disabled.");
        }, ct);

    public Task<Outcome> EnableAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserEnabled, userId, guardAdmins: false, endSessions: null, async user =>
        {
            user.DisabledAt = null;
            Succeeded(await users.UpdateAsync(user));
            return (AuditActions.UserEnabled, new { email = user.Email }, $"{user.Email} is enabled.");
        }, ct);

    public Task<Outcome> ForcePasswordChangeAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserPasswordChangeForced, userId, guardAdmins: false, endSessions: "password change required", async user =>
        {
            user.MustChangePassword = true;
            Succeeded(await users.UpdateSecurityStampAsync(user));
            return (AuditActions.UserPasswordChangeForced, new { email = user.Email }, $"{user.Email} must choose a new password at the next sign-in.");
        }, ct);

    // The authenticator and recovery codes are gone; the next sign-in is by password alone (and an
    // admin is sent to set two-factor up again where that is required).
    public Task<Outcome> ResetTwoFactorAsync(Actor actor, string userId, CancellationToken ct) =>
        ApplyAsync(actor, AuditActions.UserTwoFactorReset, userId, guardAdmins: false, endSessions: "two-factor reset", async user =>
        {
            Succeeded(await users.SetTwoFactorEnabledAsync(user, false));
            Succeeded(await users.ResetAuthenticatorKeyAsync(user));
            await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
            return (AuditActions.UserTwoFactorReset, new { email = user.Email }, $"Two-factor sign-in is reset for {user.Email}.");
        }, ct);

    // A new one-time set-password link (24 h) for an account whose link was lost: the earlier link
    // stops working (a new security stamp) and the account's sessions end.
    public async Task<(Outcome Result, string? Token)> ReissueSetPasswordLinkAsync(Actor actor, string userId, CancellationToken ct)
    {
        string? token = null;
        var outcome = await ApplyAsync(actor, AuditActions.UserSetPasswordLinkIssued, userId, guardAdmins: false, endSessions: "set-password link reissued", async user =>
        {
            Succeeded(await users.UpdateSecurityStampAsync(user));
            token = await SetPasswordToken.IssueAsync(users, user);
            return (AuditActions.UserSetPasswordLinkIssued, new { email = user.Email, reissued = true }, $"A new set-password link for {user.Email}; the earlier one no longer works.");
        }, ct);
        return (outcome, outcome.Succeeded ? token : null);
    }

    private async Task<Outcome> ApplyAsync(Actor actor, string attempted, string userId, bool guardAdmins, string? endSessions,
        Func<CmsUser, Task<(string Action, object? Data, string Message)>> change, CancellationToken ct)
    {
        if (await RefuseAsync(actor, attempted, userId, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (guardAdmins)
        {
            await AdminGuard.SerializeAsync(db, ct);
        }
        // Read after the lock, so the check sees every change committed before it.
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Outcome.NotFound();
        }
        if (guardAdmins && await AdminGuard.IsLastActiveAdminAsync(db, userId, ct))
        {
            return Outcome.Invalid("", $"{user.Email} is the last active admin; make someone else admin first.");
        }
        (string Action, object? Data, string Message) done;
        try
        {
            done = await change(user);
        }
        catch (IdentityFailure failure)
        {
            return Invalid(failure.Result);
        }
        AuditLog.Add(db, actor, done.Action, AuditTargets.User, user.Id, done.Data);
        await db.SaveChangesAsync(ct);
        if (endSessions is not null)
        {
            await UserSessions.EndAllInTransactionAsync(db, actor, user.Id, endSessions, ct);
        }
        await tx.CommitAsync(ct);
        return Outcome.Ok(done.Message);
    }

    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new IdentityFailure(result);
        }
    }

    private sealed class IdentityFailure(IdentityResult result) : Exception
    {
        public IdentityResult Result { get; } = result;
    }
}
