using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Cms.Core.Text;

namespace Cms.Application.Users;

// Server-side sessions: the store behind the sign-in cookie, a person's own list, an admin's or the
// command line's "end all". A deleted row is a session that ends at its next request everywhere.
public sealed class UserSessions(CmsDbContext db, SessionSettings settings, TimeProvider clock)
{
    public sealed record Row(string Id, string? UserAgent, string? Ip, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);

    public sealed record Stored(string UserId, byte[] Ticket);

    // What the store found under a session key: a live session, or why it was ended (null: never
    // existed, signed out by its owner, or ended long enough ago to be forgotten).
    public sealed record Found(Stored? Session, string? EndNotice);

    private static readonly Actor Expiry = Actor.System("sessions");

    // Every request of a signed-in person runs this read (no per-instance cache, so that ending a
    // session takes effect at once everywhere): compiled once instead of EF preparing its LINQ per call.
    private sealed record SessionRow(string UserId, byte[] Ticket, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt);

    private static readonly Func<CmsDbContext, string, CancellationToken, Task<SessionRow?>> FindSession =
        EF.CompileAsyncQuery((CmsDbContext db, string id, CancellationToken ct) =>
            db.UserSessions.AsNoTracking().Where(s => s.Id == id).Select(s => new SessionRow(s.UserId, s.Ticket, s.LastSeenAt, s.ExpiresAt)).SingleOrDefault());

    public async Task<string> StoreAsync(string userId, byte[] ticket, string? userAgent, string? ip, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Rows past their lifetime go now and then, when a new session arrives.
        await db.UserSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
        await db.SessionEnds.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var session = new UserSession
        {
            Id = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            UserId = userId,
            Ticket = ticket,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + settings.Lifetime,
            UserAgent = userAgent is null ? null : UnicodeText.Clip(userAgent, 512, ""),
            Ip = ip,
        };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    // The ticket of a live session, or why there is none: an idle or expired session is ended here
    // (audited), one ended by someone else says how.
    public async Task<Found> RetrieveAsync(string id, CancellationToken ct)
    {
        var row = await FindSession(db, id, ct);
        if (row is null)
        {
            return new(null, await db.SessionEnds.AsNoTracking().Where(s => s.Id == id).Select(s => s.Notice).SingleOrDefaultAsync(ct));
        }
        var now = clock.GetUtcNow();
        var reason = now >= row.ExpiresAt ? "lifetime" : now - row.LastSeenAt >= settings.IdleTimeout ? "idle" : null;
        if (reason is not null)
        {
            var notice = reason == "idle"
                ? $"You were signed out after {Span(settings.IdleTimeout)} without activity."
                : $"Your session reached its limit of {Span(settings.Lifetime)}; sign in again to go on.";
            await EndAsync(db, Expiry, row.UserId, new Ending(reason, notice, SessionId: id), now, ct);
            return new(null, notice);
        }
        if (now - row.LastSeenAt >= settings.TouchInterval)
        {
            await db.UserSessions.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct);
        }
        return new(new Stored(row.UserId, row.Ticket), null);
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
        await EndAsync(db, actor, owner, new Ending("ended by its owner", "You ended this session from another one.", SessionId: sessionId), clock.GetUtcNow(), ct);
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
        var notice = actor.UserId == userId ? "You ended all your sessions." : "An administrator signed you out.";
        var ended = await EndAsync(db, actor, userId, new Ending("ended by " + actor.Name, notice), clock.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok(ended == 1 ? "Ended 1 session." : $"Ended {ended} sessions.");
    }

    // Part of another change (roles, disable, lock, password): in the caller's transaction. The
    // reason is the audit's; the notice what the person reads at their next request.
    internal static Task<int> EndAllInTransactionAsync(CmsDbContext db, Actor actor, string userId, string reason, CancellationToken ct, string? exceptSessionId = null) =>
        EndAsync(db, actor, userId, new Ending(reason, Notice(reason), ExceptSessionId: exceptSessionId), DateTimeOffset.UtcNow, ct);

    // What a person reads on the sign-in page after another change ended their sessions.
    internal static string Notice(string reason) => reason switch
    {
        "roles changed" => "An administrator changed your roles; sign in again to go on.",
        "account locked" => "Your account was locked by an administrator.",
        "account disabled" => "Your account was disabled by an administrator.",
        "password change required" => "An administrator asked you to change your password; sign in to choose a new one.",
        "two-factor reset" => "An administrator reset your two-factor sign-in; sign in to set it up again.",
        "set-password link reissued" => "An administrator issued you a new set-password link; use it to sign in.",
        "password reset" => "Your password was reset by an administrator.",
        "password changed" => "Your password was changed in another session; sign in with the new one.",
        _ => "An administrator signed you out.",
    };

    // Every session of the user (but one) or one session by its key.
    private sealed record Ending(string Reason, string Notice, string? SessionId = null, string? ExceptSessionId = null);

    // Deletes the sessions and keeps each one's notice under its key in one statement, so a session
    // created meanwhile is ended or not, never ended without its notice.
    private static async Task<int> EndAsync(CmsDbContext db, Actor actor, string userId, Ending ending, DateTimeOffset now, CancellationToken ct)
    {
        var ended = ending switch
        {
            { SessionId: { } id } => await db.Database.ExecuteSqlInterpolatedAsync($"""
                WITH gone AS (DELETE FROM user_sessions WHERE id = {id} AND user_id = {userId} RETURNING id, expires_at)
                INSERT INTO session_ends (id, user_id, notice, ended_at, expires_at) SELECT id, {userId}, {ending.Notice}, {now}, expires_at FROM gone
                ON CONFLICT (id) DO NOTHING
                """, ct),
            _ => await db.Database.ExecuteSqlInterpolatedAsync($"""
                WITH gone AS (DELETE FROM user_sessions WHERE user_id = {userId} AND id <> {ending.ExceptSessionId ?? ""} RETURNING id, expires_at)
                INSERT INTO session_ends (id, user_id, notice, ended_at, expires_at) SELECT id, {userId}, {ending.Notice}, {now}, expires_at FROM gone
                ON CONFLICT (id) DO NOTHING
                """, ct),
        };
        if (ended > 0)
        {
            AuditLog.Add(db, actor, AuditActions.SessionEnded, AuditTargets.User, userId, new { sessions = ended, by = actor.Name, reason = ending.Reason });
            await db.SaveChangesAsync(ct);
        }
        return ended;
    }

    private static string Span(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? (span.TotalHours == 1 ? "1 hour" : $"{span.TotalHours:0} hours")
        : span.TotalMinutes == 1 ? "1 minute" : $"{span.TotalMinutes:0} minutes";
}
