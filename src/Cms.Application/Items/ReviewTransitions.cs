using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// Moving an item between review states (Cms.Core.Items.Workflow holds the table). The item page
// and the queue's bulk actions both go through Apply.
public sealed class ReviewTransitions(CmsDbContext db)
{
    public sealed record StateChange(string Before, string After);

    // Null when the workflow has no such move from the item's state; the caller stamps and audits.
    public static StateChange? Apply(Item item, ReviewAction action)
    {
        if (Workflow.Target(item.State, action) is not { } target)
        {
            return null;
        }
        var change = new StateChange(item.State.ToString(), target.ToString());
        item.State = target;
        return change;
    }

    public async Task<Outcome> HandleAsync(Actor actor, long itemId, ReviewAction action, CancellationToken ct)
    {
        if (!actor.Can(Permissions.ReviewItems))
        {
            await AuditLog.RefusedAsync(db, actor, action.ToString(), AuditTargets.Item, itemId.ToString(), $"{Permissions.ReviewItems} required", ct);
            return Outcome.Forbidden($"Moving items needs the {Permissions.ReviewItems} permission.");
        }
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        var from = item.State;
        if (Apply(item, action) is not { } change)
        {
            return Outcome.Invalid("Action", $"An item in state {from} cannot be moved with {action}.");
        }
        var now = DateTimeOffset.UtcNow;
        ItemChanges.Stamp(item, actor, now);
        AuditLog.Add(db, actor, AuditActions.ItemStateChanged, AuditTargets.Item, itemId.ToString(), new { action = action.ToString(), state = change });
        await db.SaveChangesAsync(ct);
        return Outcome.Ok($"Moved from {change.Before} to {change.After}.");
    }
}
