using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Live;

// Who has an item open: one row per open live connection on the item page, kept in PostgreSQL so
// every instance sees every instance's people. A row appears when the page's connection opens and
// goes when it closes (the table's trigger tells the item's other viewers at once); an instance
// refreshes its rows every heartbeat, and rows nobody refreshed for PresenceTtl (an instance that
// died) are swept by whichever instance looks first. Not audited: looking is not a change.
public sealed class Presence(CmsDbContext db, LiveOptions options)
{
    public async Task JoinAsync(Guid connection, long itemId, string userId, string instance, CancellationToken ct)
    {
        db.Presence.Add(new PresenceEntry { ConnectionId = connection, ItemId = itemId, UserId = userId, Instance = instance, SeenAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    public Task LeaveAsync(Guid connection, CancellationToken ct) =>
        db.Presence.Where(p => p.ConnectionId == connection).ExecuteDeleteAsync(ct);

    // The instance's heartbeat: its open connections are refreshed, rows it no longer holds and
    // rows of instances that stopped refreshing are removed.
    public async Task HeartbeatAsync(string instance, IReadOnlyCollection<Guid> open, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var ids = open.ToArray();
        if (ids.Length > 0)
        {
            await db.Presence.Where(p => ids.Contains(p.ConnectionId)).ExecuteUpdateAsync(s => s.SetProperty(p => p.SeenAt, now), ct);
        }
        await db.Presence.Where(p => p.Instance == instance && !ids.Contains(p.ConnectionId)).ExecuteDeleteAsync(ct);
        var stale = now - options.PresenceTtl;
        await db.Presence.Where(p => p.SeenAt < stale).ExecuteDeleteAsync(ct);
    }

    // The other people on the item now, by their current names (the same person in two tabs once).
    public Task<List<string>> OthersAsync(Actor actor, long itemId, CancellationToken ct)
    {
        var me = actor.UserId ?? "";
        var fresh = DateTimeOffset.UtcNow - options.PresenceTtl;
        return db.Presence.AsNoTracking().Where(p => p.ItemId == itemId && p.UserId != me && p.SeenAt > fresh)
            .Join(db.Users, p => p.UserId, u => u.Id, (p, u) => u.UserName!)
            .Distinct().OrderBy(n => n).ToListAsync(ct);
    }
}
