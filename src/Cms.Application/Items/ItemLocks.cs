using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// How a transaction holds items before it reads what decides a move (their state, their open
// blocking threads): FOR NO KEY UPDATE, so rows that merely reference an item (a comment, a link)
// can still be inserted, and in id order, so two holders of several items never deadlock.
internal static class ItemLocks
{
    public static Task HoldAsync(CmsDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM items WHERE id = ANY({ids.ToArray()}) ORDER BY id FOR NO KEY UPDATE", ct);

    public static Task HoldCarryingTopicAsync(CmsDbContext db, int topicId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM items i WHERE EXISTS (SELECT 1 FROM item_topics t WHERE t.item_id = i.id AND t.topic_id = {topicId}) ORDER BY i.id FOR NO KEY UPDATE", ct);
}
