using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Stories;

// An editor takes an item out of its story: it starts a story of its own (a new id from story_ids).
public sealed class SplitItem(CmsDbContext db, TimeProvider clock)
{
    public async Task<Outcome> HandleAsync(Actor actor, long itemId, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Splitting a story",
                new Attempt(AuditActions.ItemSplitFromStory, AuditTargets.Item, itemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        if (StoryRules.MergedRefusal(item) is { } merged)
        {
            return merged;
        }
        // Alone: nothing else in the story but the items merged into it, which go with it.
        if (!await db.Items.AnyAsync(i => i.StoryId == item.StoryId && i.Id != item.Id && i.MergedIntoId != item.Id, ct))
        {
            return Outcome.Invalid("ItemId", $"#{item.Id} is already alone in its story.");
        }
        var before = item.StoryId;
        var now = clock.GetUtcNow();
        item.StoryId = await StoryRules.NewStoryIdAsync(db, ct);
        item.UpdatedAt = now;
        var carried = await StoryRules.CarryMergedAsync(db, actor, item, before, AuditActions.ItemSplitFromStory, now, ct);
        AuditLog.Add(db, actor, AuditActions.ItemSplitFromStory, AuditTargets.Item, item.Id.ToString(),
            new { merged = carried, changes = new[] { new { field = "story", before, after = item.StoryId } } });
        return await StoryRules.SaveAsync(db, tx, $"#{item.Id} now has a story of its own." + StoryRules.With(carried), ct);
    }
}
