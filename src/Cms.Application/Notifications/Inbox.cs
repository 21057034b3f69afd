using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Talk;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Notifications;

// A person's inbox: the read model of the inbox page, the navigation bar's count and a reconnecting
// browser's catch-up, and marking entries read. Only ever the actor's own entries.
public sealed class Inbox(CmsDbContext db)
{
    public const int PageSize = 50;

    public sealed record Entry(
        long Id, string Kind, long ItemId, string ItemTitle, long? CommentId, string? CommentPreview, string Actor, string? Reason,
        DateTimeOffset CreatedAt, bool Read)
    {
        public string Says => NotificationKinds.Describe(Kind);
    }

    // The navigation bar's count on every page: compiled once instead of EF preparing its LINQ per call.
    // The queue page reads the same count (UnreadSql) inside its one statement of lists and remembers
    // it here for the request, so its navigation bar asks no second time.
    public Task<int> UnreadCountAsync(Actor actor, CancellationToken ct) =>
        actor.UserId is not { } me ? Task.FromResult(0)
        : _read is { } read && read.UserId == me ? Task.FromResult(read.Count)
        : CountUnread(db, me, ct);

    private static readonly Func<CmsDbContext, string, CancellationToken, Task<int>> CountUnread =
        EF.CompileAsyncQuery((CmsDbContext db, string me, CancellationToken ct) => db.Notifications.Count(n => n.UserId == me && n.ReadAt == null));

    // The same count as SQL, with the person's id as @me (QueueQuery.PageListsAsync).
    internal const string UnreadSql = "SELECT count(*)::int FROM notifications WHERE user_id = @me AND read_at IS NULL";

    private (string UserId, int Count)? _read;

    public void Remember(Actor actor, int unread)
    {
        if (actor.UserId is { } me)
        {
            _read = (me, unread);
        }
    }

    public async Task<long> NewestIdAsync(Actor actor, CancellationToken ct) =>
        actor.UserId is { } me ? await db.Notifications.Where(n => n.UserId == me).MaxAsync(n => (long?)n.Id, ct) ?? 0 : 0;

    // Newest first, in keyset pages (before: the last id of the previous page).
    public Task<List<Entry>> PageAsync(Actor actor, long? before, bool unreadOnly, CancellationToken ct)
    {
        var me = actor.UserId ?? "";
        var query = db.Notifications.AsNoTracking().Where(n => n.UserId == me);
        if (before is { } b)
        {
            query = query.Where(n => n.Id < b);
        }
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }
        return Project(query.OrderByDescending(n => n.Id).Take(PageSize)).ToListAsync(ct);
    }

    // What a browser missed while it was away (ids after the last it saw), oldest first.
    public Task<List<Entry>> AfterAsync(Actor actor, long after, int max, CancellationToken ct)
    {
        var me = actor.UserId ?? "";
        return Project(db.Notifications.AsNoTracking().Where(n => n.UserId == me && n.Id > after).OrderBy(n => n.Id).Take(max)).ToListAsync(ct);
    }

    private IQueryable<Entry> Project(IQueryable<Data.Entities.Notification> query) =>
        query.Select(n => new Entry(
            n.Id, n.Kind, n.ItemId,
            db.Items.Where(i => i.Id == n.ItemId).Select(i => i.Title.Length > Queue.QueueQuery.TitleRead ? i.Title.Substring(0, Queue.QueueQuery.TitleRead) : i.Title).FirstOrDefault() ?? "",
            n.CommentId,
            db.Comments.Where(c => c.Id == n.CommentId && c.DeletedAt == null).Select(c => c.Body.Length > 300 ? c.Body.Substring(0, 300) : c.Body).FirstOrDefault(),
            // The person's current name; a system actor's name as it was.
            db.Users.Where(u => u.Id == n.ActorId).Select(u => u.UserName).FirstOrDefault() ?? n.ActorName,
            n.Reason, n.CreatedAt, n.ReadAt != null));

    // Marks the given entries (or all unread when ids is null) of the actor's own inbox as read;
    // other people's ids are ignored. One UPDATE and one audit event with the count.
    public async Task<Outcome> MarkReadAsync(Actor actor, IReadOnlyCollection<long>? ids, CancellationToken ct)
    {
        if (actor.UserId is not { } me)
        {
            return await Guard.RefuseAsync(db, actor, new Attempt(AuditActions.NotificationsRead), "an account is required",
                "An inbox belongs to a signed-in person.", ct);
        }
        if (ids is { Count: > PageSize * 4 })
        {
            return Outcome.Invalid("Ids", $"Mark at most {PageSize * 4} entries at once.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var query = db.Notifications.Where(n => n.UserId == me && n.ReadAt == null);
        if (ids is not null)
        {
            query = query.Where(n => ids.Contains(n.Id));
        }
        // One UPDATE, however many are unread (no list of ids travels to the database and back).
        var marked = await query.ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        if (marked == 0)
        {
            return Outcome.Ok("Nothing unread.");
        }
        AuditLog.Add(db, actor, AuditActions.NotificationsRead, AuditTargets.User, me, new { count = marked, all = ids is null });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok(marked == 1 ? "Marked read." : $"{marked} marked read.");
    }
}
