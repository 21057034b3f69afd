using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Stories;

// The story an item belongs to, as the item page's panel and the story page show it: its items,
// queue items first, newest first; and whether the actor may merge, split and move.
public sealed class StoryView(CmsDbContext db)
{
    // A story larger than this is shown in part (the count says how large it is).
    public const int MaxMembers = 200;

    public sealed record Member(long Id, string Title, string? ProviderName, string? ProviderDomain, DateTimeOffset? PublishedAt,
        WorkflowState State, long? MergedIntoId, string? Url);

    public sealed record View(long ItemId, long StoryId, IReadOnlyList<Member> Members, int Count, bool CanEdit)
    {
        public IEnumerable<Member> Others => Members.Where(m => m.Id != ItemId);
    }

    // Null when there is no such item.
    public async Task<View?> LoadAsync(Actor actor, long itemId, CancellationToken ct)
    {
        var story = await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => (long?)i.StoryId).SingleOrDefaultAsync(ct);
        if (story is not { } storyId)
        {
            return null;
        }
        var queue = Workflow.QueueStates.ToList();
        var members = db.Items.AsNoTracking().Where(i => i.StoryId == storyId);
        var shown = await members
            .OrderBy(i => queue.Contains(i.State) ? 0 : 1).ThenByDescending(i => i.PublishedAt).ThenBy(i => i.Id)
            .Take(MaxMembers)
            .Select(i => new Member(i.Id, i.Title, i.ProviderName, i.ProviderDomain, i.PublishedAt, i.State, i.MergedIntoId, i.WebUrl ?? i.OriginalUrl))
            .ToListAsync(ct);
        var count = shown.Count < MaxMembers ? shown.Count : await members.CountAsync(ct);
        return new View(itemId, storyId, shown, count, actor.Can(Permissions.ReviewItems));
    }
}
