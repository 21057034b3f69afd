using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// How a transaction holds items before it reads what decides a move (their state, their open
// blocking threads): FOR NO KEY UPDATE, so rows that merely reference an item (a comment, a link)
// can still be inserted, and in id order, so two holders of several items never deadlock.
internal static class ItemLocks
{
    // The leads of merged items among them are held too, in the same id order: Reopen of a merged
    // item writes its lead (MergeUndo), and a lead usually has a lower id than what was merged into
    // it, so taking it later would wait against an id-ordered holder that waits for the item.
    public static Task HoldAsync(CmsDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var keys = ids.ToArray();
        return db.Database.ExecuteSqlAsync($"""
            SELECT 1 FROM items WHERE id IN (
              SELECT unnest({keys}) UNION SELECT m.merged_into_id FROM items m WHERE m.id = ANY({keys}) AND m.merged_into_id IS NOT NULL)
            ORDER BY id FOR NO KEY UPDATE
            """, ct);
    }

    public static Task HoldCarryingTopicAsync(CmsDbContext db, int topicId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM items i WHERE EXISTS (SELECT 1 FROM item_topics t WHERE t.item_id = i.id AND t.topic_id = {topicId}) ORDER BY i.id FOR NO KEY UPDATE", ct);
}
