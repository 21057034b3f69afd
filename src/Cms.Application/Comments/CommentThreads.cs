using Cms.Core.Talk;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Comments;

// The item page's comments: threads in the order they were started, each with its newest replies,
// authors and mentioned people by their current names, and what this actor may do with each. The
// work is bounded: the newest MaxThreads threads plus every open blocking thread (those stop
// Publish, so they must always be there to resolve; an item holds at most CommentOptions.MaxPerItem
// comments), and at most MaxReplies replies of each.
public sealed class CommentThreads(CmsDbContext db, CommentOptions options)
{
    // At most this many threads are shown on a page (the newest); an item with more says so.
    public const int MaxThreads = 200;

    // At most this many replies of a thread are shown (its newest); the thread says how many are hidden.
    public const int MaxReplies = 20;

    public sealed record View(
        long Id, long? ParentId, string AuthorId, string Author, IReadOnlyList<CommentSegment> Segments, string Body, string? AnchorField, string? AnchorUrl,
        bool Blocking, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, bool Deleted, DateTimeOffset? ResolvedAt, string? ResolvedBy, bool Mine, bool Editable);

    public sealed record Thread(View Start, IReadOnlyList<View> Replies, int HiddenReplies = 0)
    {
        public bool Open => Start.ResolvedAt is null && !Start.Deleted;
        public bool BlocksWorkflow => Open && Start.Blocking;
    }

    public sealed record Panel(IReadOnlyList<Thread> Threads, bool Truncated, long Newest)
    {
        public int OpenBlocking => Threads.Count(t => t.BlocksWorkflow);

        public IEnumerable<Thread> AnchoredTo(string? url) => url is null ? [] : Threads.Where(t => t.Start.AnchorUrl == url);
    }

    public async Task<Panel> ForItemAsync(Actor actor, long itemId, CancellationToken ct)
    {
        var newest = await db.Comments.AsNoTracking().Where(c => c.ItemId == itemId && c.ParentId == null)
            .OrderByDescending(c => c.Id).Take(MaxThreads + 1).Select(c => c.Id).ToListAsync(ct);
        var truncated = newest.Count > MaxThreads;
        var blocking = await BlockingThreads.Open(db).Where(c => c.ItemId == itemId).Select(c => c.Id).ToListAsync(ct);
        var starts = newest.Take(MaxThreads).Union(blocking).ToArray();
        // Each thread's newest replies (by the (parent_id, id) index) and how many it has in all.
        var replies = await db.Database.SqlQuery<long>($"""
            SELECT r.id AS "Value" FROM unnest({starts}) AS s(id)
             CROSS JOIN LATERAL (SELECT c.id FROM comments c WHERE c.parent_id = s.id ORDER BY c.id DESC LIMIT {MaxReplies}) AS r
            """).ToListAsync(ct);
        var replyCounts = await db.Comments.AsNoTracking().Where(c => c.ParentId != null && starts.Contains(c.ParentId.Value))
            .GroupBy(c => c.ParentId!.Value).Select(g => new { Thread = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Thread, g => g.Count, ct);
        var shown = starts.Concat(replies).ToArray();
        var rows = await db.Comments.AsNoTracking()
            .Where(c => c.ItemId == itemId && shown.Contains(c.Id))
            .OrderBy(c => c.Id)
            .Select(c => new
            {
                c.Id, c.ParentId, c.AuthorId, c.Body, c.AnchorField, c.AnchorUrl, c.Blocking, c.CreatedAt, c.EditedAt, c.DeletedAt, c.ResolvedAt,
                Author = db.Users.Where(u => u.Id == c.AuthorId).Select(u => u.UserName).FirstOrDefault(),
                ResolvedBy = db.Users.Where(u => u.Id == c.ResolvedBy).Select(u => u.UserName).FirstOrDefault() ?? c.ResolvedBy,
                Mentions = c.Mentions.Select(m => new { m.Start, m.Length, m.UserId, Name = db.Users.Where(u => u.Id == m.UserId).Select(u => u.UserName).FirstOrDefault() }).ToList(),
            })
            .ToListAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var views = rows.Select(r => new View(
            r.Id, r.ParentId, r.AuthorId, r.Author ?? "(removed account)",
            CommentText.Segments(r.Body, r.Mentions.Select(m => (m.Start, m.Length, m.UserId, m.Name ?? "(removed account)")).ToList()),
            r.Body, r.AnchorField, r.AnchorUrl, r.Blocking, r.CreatedAt, r.EditedAt, r.DeletedAt is not null, r.ResolvedAt, r.ResolvedBy,
            Mine: r.AuthorId == actor.UserId,
            Editable: r.AuthorId == actor.UserId && r.DeletedAt is null && now - r.CreatedAt <= options.EditWindow)).ToList();
        var threads = views.Where(v => v.ParentId is null)
            .Select(s =>
            {
                var shownReplies = views.Where(v => v.ParentId == s.Id).ToList();
                return new Thread(s, shownReplies, replyCounts.GetValueOrDefault(s.Id) - shownReplies.Count);
            }).ToList();
        return new Panel(threads, truncated, rows.Count == 0 ? 0 : rows.Max(r => r.Id));
    }
}
