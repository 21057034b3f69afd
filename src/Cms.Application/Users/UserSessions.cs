using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// Server-side sessions: the store behind the sign-in cookie, a person's own list, an admin's or the
// command line's "end all". A deleted row is a session that ends at its next request everywhere.
public sealed class UserSessions(CmsDbContext db, SessionSettings settings, TimeProvider clock)
{
    public sealed record Row(string Id, string? UserAgent, string? Ip, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

    public sealed record Stored(string UserId, byte[] Ticket);

    private static readonly Actor Expiry = Actor.System("sessions");

    public async Task<string> StoreAsync(string userId, byte[] ticket, string? userAgent, string? ip, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Rows past their lifetime go now and then, when a new session arrives.
        await db.UserSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var session = new UserSession
        {
            Id = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            UserId = userId,
            Ticket = ticket,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + settings.Lifetime,
            UserAgent = userAgent is { Length: > 512 } ? userAgent[..512] : userAgent,
            Ip = ip,
        };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    // The ticket of a live session, or null: an idle or expired session is ended here (audited).
    public async Task<Stored?> RetrieveAsync(string id, CancellationToken ct)
    {
        var row = await db.UserSessions.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new { s.UserId, s.Ticket, s.LastSeenAt, s.ExpiresAt }).SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var reason = now >= row.ExpiresAt ? "lifetime" : now - row.LastSeenAt >= settings.IdleTimeout ? "idle" : null;
        if (reason is not null)
        {
            await EndAsync(Expiry, row.UserId, db.UserSessions.Where(s => s.Id == id), reason, ct);
            return null;
        }
        if (now - row.LastSeenAt >= settings.TouchInterval)
        {
            await db.UserSessions.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct);
        }
        return new Stored(row.UserId, row.Ticket);
    }

    public async Task RenewAsync(string id, byte[] ticket, CancellationToken ct) =>
        await db.UserSessions.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Ticket, ticket)
            .SetProperty(s => s.LastSeenAt, clock.GetUtcNow()), ct);

    // Sign-out: the cookie handler removes its own session (the page audits the sign-out).
    public async Task RemoveAsync(string id, CancellationToken ct) =>
        await db.UserSessions.Where(s => s.Id == id).ExecuteDeleteAsync(ct);

    public async Task<IReadOnlyList<Row>> ListAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var since = now - settings.IdleTimeout;
        return await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.LastSeenAt > since && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => new Row(s.Id, s.UserAgent, s.Ip, s.CreatedAt, s.LastSeenAt))
            .ToListAsync(ct);
    }

    // A person ends one of their own sessions; only their own (the rule depends on the session).
    public async Task<Outcome> EndOwnAsync(Actor actor, string sessionId, CancellationToken ct)
    {
        var owner = await db.UserSessions.Where(s => s.Id == sessionId).Select(s => s.UserId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return Outcome.NotFound("That session has already ended.");
        }
        if (actor.UserId is null || owner != actor.UserId)
        {
            return await Guard.RefuseAsync(db, actor, new Attempt(AuditActions.SessionEnded, AuditTargets.User, owner),
                "not the session's owner", "You can end only your own sessions.", ct);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EndAsync(actor, owner, db.UserSessions.Where(s => s.Id == sessionId), "ended by its owner", ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok("The session has ended.");
    }

    // An admin (or the command line) ends every session of an account.
    public async Task<Outcome> EndAllAsync(Actor actor, string userId, CancellationToken ct)
    {
        // Anyone may end their own sessions; another account's need ManageUsers.
        if (actor.UserId != userId && await Guard.RequireAsync(db, actor, Permissions.ManageUsers, "Ending another account's sessions",
                new Attempt(AuditActions.SessionEnded, AuditTargets.User, userId), ct) is { } refused)
        {
            return refused;
        }
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return Outcome.NotFound();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await EndAllInTransactionAsync(db, actor, userId, "ended by " + actor.Name, ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok(ended == 1 ? "Ended 1 session." : $"Ended {ended} sessions.");
    }

    // Part of another change (roles, disable, lock, password): in the caller's transaction.
    internal static async Task<int> EndAllInTransactionAsync(CmsDbContext db, Actor actor, string userId, string reason, CancellationToken ct, string? exceptSessionId = null)
    {
        var ended = await db.UserSessions.Where(s => s.UserId == userId && s.Id != exceptSessionId).ExecuteDeleteAsync(ct);
        if (ended > 0)
        {
            AuditLog.Add(db, actor, AuditActions.SessionEnded, AuditTargets.User, userId, new { sessions = ended, by = actor.Name, reason });
            await db.SaveChangesAsync(ct);
        }
        return ended;
    }

    private async Task EndAsync(Actor actor, string userId, IQueryable<UserSession> sessions, string reason, CancellationToken ct)
    {
        var ended = await sessions.ExecuteDeleteAsync(ct);
        if (ended > 0)
        {
            AuditLog.Add(db, actor, AuditActions.SessionEnded, AuditTargets.User, userId, new { sessions = ended, by = actor.Name, reason });
            await db.SaveChangesAsync(ct);
        }
    }
}
