using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// "Who else has this item open": a short lease renewed while the page is open; a warning, not a lock.
public sealed class ItemLeases(CmsDbContext db)
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(2);

    // Upsert: presence is not a change to the item, so it is not audited. False when there is no such item.
    public async Task<bool> RenewAsync(Actor actor, long itemId, CancellationToken ct)
    {
        var expires = DateTimeOffset.UtcNow.Add(Length);
        return await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO item_leases (item_id, user_name, expires_at) SELECT id, {actor.Name}, {expires} FROM items WHERE id = {itemId}
            ON CONFLICT (item_id, user_name) DO UPDATE SET expires_at = excluded.expires_at
            """, ct) > 0;
    }

    public Task<List<string>> OthersAsync(Actor actor, long itemId, CancellationToken ct) =>
        db.ItemLeases.AsNoTracking()
            .Where(l => l.ItemId == itemId && l.UserName != actor.Name && l.ExpiresAt > DateTimeOffset.UtcNow)
            .Select(l => l.UserName).ToListAsync(ct);
}
