using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Cms.Application.Users;

// What a person does to their own account: password, authenticator, recovery codes; and the
// one-time set-password link an admin hands to a new user. The actor is always the account itself.
public sealed class OwnAccount(CmsDbContext db, UserManager<CmsUser> users)
{
    public const int RecoveryCodeCount = 10;

    public sealed record TwoFactorState(bool Enabled, int RecoveryCodesLeft, bool MustChangePassword);

    public async Task<TwoFactorState?> StateAsync(Actor actor)
    {
        var user = await FindAsync(actor);
        return user is null ? null : new TwoFactorState(user.TwoFactorEnabled, await users.CountRecoveryCodesAsync(user), user.MustChangePassword);
    }

    // Every other session ends (currentSession, the one changing it, stays; the page renews it).
    public async Task<Outcome> ChangePasswordAsync(Actor actor, string current, string next, string? currentSession, CancellationToken ct)
    {
        var user = await FindAsync(actor);
        if (user is null)
        {
            return Outcome.NotFound();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await users.ChangePasswordAsync(user, current, next);
        if (!result.Succeeded)
        {
            return Outcome.Invalid(result.Errors.Select(e => new FieldError(
                e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "OldPassword" : "NewPassword", e.Description)).ToList());
        }
        if (user.MustChangePassword)
        {
            user.MustChangePassword = false;
            await users.UpdateAsync(user);
        }
        AuditLog.Add(db, actor, AuditActions.UserPasswordChanged, AuditTargets.User, user.Id, new { email = user.Email });
        await db.SaveChangesAsync(ct);
        await UserSessions.EndAllInTransactionAsync(db, actor, user.Id, "password changed", ct, exceptSessionId: currentSession);
        await tx.CommitAsync(ct);
        return Outcome.Ok("Your password has been changed.");
    }

    // The shared key for the authenticator app, created on first use (not yet enabled).
    public async Task<string?> AuthenticatorKeyAsync(Actor actor)
    {
        var user = await FindAsync(actor);
        if (user is null)
        {
            return null;
        }
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        return key;
    }

    // A code from the app proves it holds the key: two-factor is on and ten recovery codes are returned.
    public async Task<Outcome<IReadOnlyList<string>>> EnableAuthenticatorAsync(Actor actor, string code, CancellationToken ct)
    {
        var user = await FindAsync(actor);
        if (user is null)
        {
            return Outcome.NotFound();
        }
        code = code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            return Outcome.Invalid("Code", "That code is not valid; check the app shows the Cms entry and try the current code.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        AuditLog.Add(db, actor, AuditActions.UserTwoFactorEnabled, AuditTargets.User, user.Id, new { email = user.Email });
        AuditLog.Add(db, actor, AuditActions.UserRecoveryCodesGenerated, AuditTargets.User, user.Id, new { count = codes.Count });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<IReadOnlyList<string>>.Ok(codes, "Two-factor sign-in is on.");
    }

    public async Task<Outcome<IReadOnlyList<string>>> GenerateRecoveryCodesAsync(Actor actor, CancellationToken ct)
    {
        var user = await FindAsync(actor);
        if (user is null)
        {
            return Outcome.NotFound();
        }
        if (!user.TwoFactorEnabled)
        {
            return Outcome.Invalid("", "Set up an authenticator app first.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        AuditLog.Add(db, actor, AuditActions.UserRecoveryCodesGenerated, AuditTargets.User, user.Id, new { count = codes.Count });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<IReadOnlyList<string>>.Ok(codes, "New recovery codes; the old ones no longer work.");
    }

    // The set-password link: the token is bound to the account's security stamp, which the new
    // password changes, so a link works once; Identity's token lifespan (24 h) bounds it in time.
    public async Task<Outcome> SetPasswordWithTokenAsync(Actor actor, string userId, string token, string password, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        var decoded = SetPasswordToken.Decode(token);
        if (user is null || user.DisabledAt is not null || decoded.Length == 0)
        {
            return Outcome.Invalid("", "This link is not valid (it may have been used or be older than 24 hours); ask an admin for a new one.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await users.ResetPasswordAsync(user, decoded, password);
        if (!result.Succeeded)
        {
            return result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))
                ? Outcome.Invalid("", "This link is not valid (it may have been used or be older than 24 hours); ask an admin for a new one.")
                : Outcome.Invalid(result.Errors.Select(e => new FieldError("Password", e.Description)).ToList());
        }
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        AuditLog.Add(db, actor with { Name = user.Email ?? actor.Name }, AuditActions.UserPasswordSet, AuditTargets.User, user.Id, new { email = user.Email, via = "set-password link" });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok("Your password is set; sign in with it.");
    }

    private async Task<CmsUser?> FindAsync(Actor actor) =>
        actor.UserId is null ? null : await users.FindByIdAsync(actor.UserId);
}
