using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// What an open item page needs to know after a live "item" signal: the version it holds is stale
// when this one differs, and who changed it when.
public sealed class ItemLiveState(CmsDbContext db)
{
    public sealed record Snapshot(uint Version, WorkflowState State, string? EditedBy, DateTimeOffset? EditedAt);

    public Task<Snapshot?> ForItemAsync(long itemId, CancellationToken ct) =>
        db.Items.AsNoTracking().Where(i => i.Id == itemId)
            .Select(i => new Snapshot(i.Version, i.State, i.EditedBy, i.EditedAt)).SingleOrDefaultAsync(ct);
}
