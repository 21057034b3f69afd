using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Npgsql;

namespace Cms.Application.Stories;

// The second half of Reopen for merged items (ItemTransitions marks them, TransitionBatch calls
// this in the same transaction): the item is no longer merged, the lead's link that the merge
// added is removed while still Pending and kept once decided, and the lead's row is touched so an
// editor holding its old form gets a conflict instead of deciding a link that is gone.
internal static class MergeUndo
{
    public static async Task WriteAsync(NpgsqlConnection conn, Actor actor, IReadOnlyList<(long ItemId, long LeadId)> unmerged, DateTimeOffset now, CancellationToken ct)
    {
        var items = unmerged.Select(u => u.ItemId).ToArray();
        var leads = unmerged.Select(u => u.LeadId).ToArray();
        var links = new List<(long Lead, long From, string? Url, string Decision)>();
        await using (var read = new NpgsqlCommand("""
            SELECT l.item_id, l.merged_from_item_id, l.url, l.decision
            FROM related_links l JOIN unnest(@items, @leads) AS p(item_id, lead_id) ON l.merged_from_item_id = p.item_id AND l.item_id = p.lead_id
            ORDER BY l.item_id, l.position
            """, conn))
        {
            read.Parameters.AddWithValue("items", items);
            read.Parameters.AddWithValue("leads", leads);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                links.Add((reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
            }
        }
        await using (var write = new NpgsqlCommand("""
            DELETE FROM related_links l USING unnest(@items, @leads) AS p(item_id, lead_id)
              WHERE l.merged_from_item_id = p.item_id AND l.item_id = p.lead_id AND l.decision = 'Pending';
            UPDATE items SET merged_into_id = NULL WHERE id = ANY(@items);
            UPDATE items SET updated_at = @now WHERE id = ANY(@leads);
            """, conn))
        {
            write.Parameters.AddWithValue("items", items);
            write.Parameters.AddWithValue("leads", leads);
            write.Parameters.AddWithValue("now", now);
            await write.ExecuteNonQueryAsync(ct);
        }
        var events = unmerged.Select(u =>
        {
            var mine = links.Where(l => l.Lead == u.LeadId && l.From == u.ItemId).ToList();
            return (u.LeadId.ToString(), (object?)new
            {
                from = u.ItemId,
                removed = mine.Where(l => l.Decision == "Pending").Select(l => l.Url).ToList(),
                kept = mine.Where(l => l.Decision != "Pending").Select(l => new { url = l.Url, decision = l.Decision }).ToList(),
            });
        });
        await AuditLog.CopyAsync(conn, actor, AuditActions.ItemMergeUndone, AuditTargets.Item, events, now, ct);
    }
}
