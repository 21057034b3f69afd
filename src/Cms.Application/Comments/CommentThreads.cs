using Cms.Core.Talk;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Comments;

// The item page's comments: threads in the order they were started, each with its replies, authors
// and mentioned people by their current names, and what this actor may do with each.
public sealed class CommentThreads(CmsDbContext db, CommentOptions options)
{
    // At most this many threads are shown on a page (the newest); an item with more says so.
    public const int MaxThreads = 200;

    public sealed record View(
        long Id, long? ParentId, string AuthorId, string Author, IReadOnlyList<CommentSegment> Segments, string Body, string? AnchorField, string? AnchorUrl,
        bool Blocking, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, bool Deleted, DateTimeOffset? ResolvedAt, string? ResolvedBy, bool Mine, bool Editable);

    public sealed record Thread(View Start, IReadOnlyList<View> Replies)
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
        var starts = await db.Comments.AsNoTracking().Where(c => c.ItemId == itemId && c.ParentId == null)
            .OrderByDescending(c => c.Id).Take(MaxThreads + 1).Select(c => c.Id).ToListAsync(ct);
        var truncated = starts.Count > MaxThreads;
        starts = starts.Take(MaxThreads).ToList();
        var rows = await db.Comments.AsNoTracking()
            .Where(c => c.ItemId == itemId && (starts.Contains(c.Id) || (c.ParentId != null && starts.Contains(c.ParentId.Value))))
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
            .Select(s => new Thread(s, views.Where(v => v.ParentId == s.Id).ToList())).ToList();
        return new Panel(threads, truncated, rows.Count == 0 ? 0 : rows.Max(r => r.Id));
    }
}
