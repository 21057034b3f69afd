using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Stories;

// An editor moves an item into another story: the story of the target item they name.
public sealed class MoveItem(CmsDbContext db, TimeProvider clock)
{
    public sealed record Request(long ItemId, long TargetItemId);

    public async Task<Outcome> HandleAsync(Actor actor, Request request, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Moving an item to another story",
                new Attempt(AuditActions.ItemMovedToStory, AuditTargets.Item, request.ItemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        var target = await db.Items.AsNoTracking().Where(i => i.Id == request.TargetItemId).Select(i => (long?)i.StoryId).SingleOrDefaultAsync(ct);
        if (target is not { } story)
        {
            return Outcome.Invalid("TargetItemId", $"There is no item #{request.TargetItemId}.");
        }
        if (StoryRules.MergedRefusal(item) is { } merged)
        {
            return merged;
        }
        if (story == item.StoryId)
        {
            return Outcome.Invalid("TargetItemId", $"#{item.Id} is already in the story of #{request.TargetItemId}.");
        }
        var before = item.StoryId;
        var now = clock.GetUtcNow();
        item.StoryId = story;
        item.UpdatedAt = now;
        var carried = await StoryRules.CarryMergedAsync(db, actor, item, before, AuditActions.ItemMovedToStory, now, ct);
        AuditLog.Add(db, actor, AuditActions.ItemMovedToStory, AuditTargets.Item, item.Id.ToString(),
            new { storyOf = request.TargetItemId, merged = carried, changes = new[] { new { field = "story", before, after = story } } });
        return await StoryRules.SaveAsync(db, tx, $"#{item.Id} moved into the story of #{request.TargetItemId}." + StoryRules.With(carried), ct);
    }
}
