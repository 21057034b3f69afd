using System.Data.Common;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Cms.Application.Users;

// What the sign-in pages record: failures per account name and client (the lockout rule), and the
// audit events. Lockout counts failures from one client only, so a stranger who guesses at the
// admin's name locks out themselves, never the admin signing in from elsewhere. Unknown names are
// counted like known ones: the same statements run, so the work does not tell which accounts exist.
public sealed class SignInRecords(CmsDbContext db, IOptions<IdentityOptions> identity)
{
    private static readonly UpperInvariantLookupNormalizer Normalizer = new();

    // The account name as typed, normalized by Identity's own normalizer (NFC, then upper case), so
    // every spelling Identity resolves to one account (the Kelvin sign U+212A for K) shares one
    // budget and one lockout; at most the column's width.
    public static string AccountKey(string name)
    {
        string key;
        try
        {
            key = Normalizer.NormalizeName(name.Trim()) ?? "";
        }
        catch (ArgumentException)
        {
            // Text that cannot be normalized (an unpaired surrogate) names no account anyway.
            key = name.Trim().ToUpperInvariant();
        }
        // Never cut between the halves of a surrogate pair (a lone half cannot be stored).
        return Cms.Core.Text.UnicodeText.Clip(key, 256, "");
    }

    public async Task<bool> IsLockedAsync(string account, string client, CancellationToken ct)
    {
        var key = AccountKey(account);
        var now = DateTimeOffset.UtcNow;
        return await db.SignInThrottles.AnyAsync(t => t.Account == key && t.Client == client && t.LockedUntil > now, ct);
    }

    // A wrong password (or an unknown name, a locked or disabled account): one failure for this
    // client, and the lockout event when it reaches the limit. Returns whether the client is now locked.
    public async Task<bool> FailedAsync(Actor actor, string attempted, string? userId, string client, string reason, CancellationToken ct)
    {
        var lockout = identity.Value.Lockout;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (failures, lockedUntil) = await CountFailureAsync(AccountKey(attempted), client, lockout.MaxFailedAccessAttempts, lockout.DefaultLockoutTimeSpan, ct);
        AuditLog.Add(db, actor, AuditActions.SignInFailed, AuditTargets.User, userId, new { attempted, reason, client });
        if (failures == lockout.MaxFailedAccessAttempts)
        {
            AuditLog.Add(db, actor, AuditActions.SignInLockedOut, AuditTargets.User, userId, new { attempted, client, until = lockedUntil });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return lockedUntil > DateTimeOffset.UtcNow;
    }

    // The password was right: this client's failures are forgotten. With two-factor on, the sign-in
    // completes (and is audited) only after the second factor.
    public async Task PasswordAcceptedAsync(Actor actor, string userId, string attempted, string client, bool complete, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var key = AccountKey(attempted);
        await db.SignInThrottles.Where(t => t.Account == key && t.Client == client).ExecuteDeleteAsync(ct);
        if (complete)
        {
            await SignedInAsync(actor, userId, "password", ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    // The second step: an authenticator code or a recovery code, right or wrong.
    public async Task SecondFactorAsync(Actor actor, string userId, string method, bool succeeded, bool lockedOut, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (succeeded)
        {
            AuditLog.Add(db, actor, AuditActions.SignInTwoFactorSucceeded, AuditTargets.User, userId, new { method });
            if (method == "recovery-code")
            {
                AuditLog.Add(db, actor, AuditActions.SignInRecoveryCodeUsed, AuditTargets.User, userId, null);
            }
            await SignedInAsync(actor, userId, method, ct);
        }
        else
        {
            AuditLog.Add(db, actor, AuditActions.SignInTwoFactorFailed, AuditTargets.User, userId, new { method });
            if (lockedOut)
            {
                AuditLog.Add(db, actor, AuditActions.SignInLockedOut, AuditTargets.User, userId, new { method });
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task SignedOutAsync(Actor actor, CancellationToken ct)
    {
        AuditLog.Add(db, actor, AuditActions.SignedOut, AuditTargets.User, actor.UserId, null);
        await db.SaveChangesAsync(ct);
    }

    private async Task SignedInAsync(Actor actor, string userId, string method, CancellationToken ct)
    {
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSignInAt, DateTimeOffset.UtcNow), ct);
        AuditLog.Add(db, actor, AuditActions.SignInSucceeded, AuditTargets.User, userId, new { method });
    }

    // One statement, so concurrent failures from one client all count. Failures older than the
    // lockout window are forgotten; every failure while locked extends that client's lock.
    private async Task<(int Failures, DateTimeOffset? LockedUntil)> CountFailureAsync(string account, string client, int max, TimeSpan window, CancellationToken ct)
    {
        var conn = db.Database.GetDbConnection();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        cmd.CommandText = """
            INSERT INTO sign_in_throttles AS t (account, client, failures, locked_until, updated_at)
            VALUES (@account, @client, 1, CASE WHEN @max <= 1 THEN now() + @window END, now())
            ON CONFLICT (account, client) DO UPDATE SET
                failures = CASE WHEN t.updated_at < now() - @window THEN 1 ELSE t.failures + 1 END,
                locked_until = CASE WHEN (CASE WHEN t.updated_at < now() - @window THEN 1 ELSE t.failures + 1 END) >= @max
                                    THEN now() + @window ELSE t.locked_until END,
                updated_at = now()
            RETURNING failures, locked_until
            """;
        Add(cmd, "account", account);
        Add(cmd, "client", client);
        Add(cmd, "max", max);
        Add(cmd, "window", window);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
