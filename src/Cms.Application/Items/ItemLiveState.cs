using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// What an open item page needs to know after a live "item" signal: the version it holds is stale
// when this one differs, and who changed it when. "Who" is the newest change in the item's audit
// trail (a save, a move, a schedule, a source revision: each writes its event in the change's own
// transaction), not the edit stamp, which a move by someone else leaves as it was. Refusals and
// the talk (comments, assignment: audited on the item, but the item's row stays as it was) are
// skipped. The name is the account's current one.
public sealed class ItemLiveState(CmsDbContext db)
{
    public sealed record Snapshot(uint Version, WorkflowState State, string? ChangedBy, DateTimeOffset? ChangedAt);

    public async Task<Snapshot?> ForItemAsync(long itemId, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().Where(i => i.Id == itemId)
            .Select(i => new { i.Version, i.State, i.EditedBy, i.EditedAt }).SingleOrDefaultAsync(ct);
        if (item is null)
        {
            return null;
        }
        var key = itemId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var change = await db.AuditEvents.AsNoTracking()
            .Where(a => a.EntityType == AuditTargets.Item && a.EntityId == key 
                && !a.Action.Contains("refused") && !a.Action.StartsWith("comment.")
                && a.Action != AuditActions.ItemAssigned && a.Action != AuditActions.ItemUnassigned)
            .OrderByDescending(a => a.Id)
            .Select(a => new { Name = db.Users.Where(u => u.Id == a.ActorId).Select(u => u.UserName).FirstOrDefault() ?? a.Actor, a.At })
            .FirstOrDefaultAsync(ct);
        return change is null
            ? new Snapshot(item.Version, item.State, item.EditedBy, item.EditedAt)
            : new Snapshot(item.Version, item.State, change.Name, change.At);
    }
}
