using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Setup;

// Related links stored before links had an identity get it from their URL, with the same
// normalizer the importer uses (it is C#, so the migration cannot compute it in SQL). Runs at every
// `./cms migrate` / `./cms run`; what is left to look at is only the later entries of a URL listed
// twice in one item, which keep no identity. Decisions are not touched: a link without an identity
// is never published whatever its decision says.
public sealed class LinkIdentityBackfill(CmsDbContext db)
{
    public const int BatchItems = 500;

    // The system changes what is published (identities) and where comments show: each batch is
    // audited with what it changed, in its own transaction.
    private static readonly Actor Setup = Actor.System("setup");

    // Runs both steps in order: comments follow the identities.
    public async Task<(int Links, int Comments)> RunAllAsync(CancellationToken ct) => (await RunAsync(ct), await ReanchorCommentsAsync(ct));

    // Comments anchored before anchors were identities name their link without its fragment; each
    // moves to the item's first link (by position) whose identity is that URL plus a fragment.
    // Returns how many comments moved.
    public async Task<int> ReanchorCommentsAsync(CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.Database.SqlQueryRaw<MovedAnchor>("""
            WITH moved AS (
                UPDATE comments c SET anchor_url = (
                    SELECT l.identity FROM related_links l
                    WHERE l.item_id = c.item_id AND split_part(l.identity, '#', 1) = c.anchor_url
                    ORDER BY l.position LIMIT 1)
                WHERE c.anchor_url IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM related_links l WHERE l.item_id = c.item_id AND l.identity = c.anchor_url)
                  AND EXISTS (SELECT 1 FROM related_links l WHERE l.item_id = c.item_id AND split_part(l.identity, '#', 1) = c.anchor_url)
                RETURNING c.id, c.item_id, c.anchor_url)
            SELECT id, item_id, anchor_url FROM moved
            """).ToListAsync(ct);
        if (moved.Count > 0)
        {
            AuditLog.Add(db, Setup, AuditActions.CommentsReanchored, null, null,
                new { count = moved.Count, comments = moved.Take(100).Select(m => new { comment = m.Id, item = m.ItemId, anchor = m.AnchorUrl }) });
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return moved.Count;
    }

    private sealed record MovedAnchor(long Id, long ItemId, string AnchorUrl);

    // Returns how many links got an identity.
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var assigned = 0;
        long after = 0;
        while (true)
        {
            var items = await db.RelatedLinks.Where(l => l.Identity == null && l.IsSafeUrl && l.ItemId > after)
                .Select(l => l.ItemId).Distinct().OrderBy(id => id).Take(BatchItems).ToListAsync(ct);
            if (items.Count == 0)
            {
                return assigned;
            }
            var links = await db.RelatedLinks.Where(l => items.Contains(l.ItemId)).OrderBy(l => l.ItemId).ThenBy(l => l.Position).ToListAsync(ct);
            foreach (var item in links.GroupBy(l => l.ItemId))
            {
                var taken = item.Where(l => l.Identity is not null).Select(l => l.Identity!).ToHashSet(StringComparer.Ordinal);
                foreach (var link in item.Where(l => l.Identity is null))
                {
                    // An identity too long for the index (LinkIdentity.TooLong) is none: never approvable, as at import.
                    if (LinkIdentity.Of(link.Url) is { } identity && LinkIdentity.TooLong(identity) is null && taken.Add(identity))
                    {
                        link.Identity = identity;
                        assigned++;
                    }
                }
            }
            var given = db.ChangeTracker.Entries<Data.Entities.RelatedLink>().Count(e => e.State == EntityState.Modified);
            if (given > 0)
            {
                AuditLog.Add(db, Setup, AuditActions.LinkIdentitiesAssigned, null, null, new { count = given, items = items.Count, firstItem = items[0], lastItem = items[^1] });
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            after = items[^1];
        }
    }
}
