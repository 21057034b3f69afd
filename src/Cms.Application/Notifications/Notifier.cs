using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Talk;
using Cms.Data;
using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;
using Cms.Core.Text;

namespace Cms.Application.Notifications;

// Writes inbox entries into the caller's unit of work, so they commit (or not) with their cause and
// its audit event; the table's trigger announces each one on the live channel at commit. Nobody is
// notified of their own action.
public static class Notifier
{
    public const int MaxReasonLength = 1000;

    // One entry through EF, for the handlers that already write through the context.
    public static void Add(CmsDbContext db, Actor actor, string userId, string kind, long itemId, DateTimeOffset now, long? commentId = null, string? reason = null)
    {
        if (userId == actor.UserId)
        {
            return;
        }
        db.Notifications.Add(new Notification
        {
            UserId = userId,
            Kind = kind,
            ItemId = itemId,
            CommentId = commentId,
            ActorId = actor.UserId,
            ActorName = UnicodeText.Clip(actor.Name, 256, ""),
            Reason = Cap(reason),
            CreatedAt = now,
        });
    }

    // Who edited an item, by the audit trail (indexed by target).
    private const string Editors = """
        SELECT e.entity_id::bigint, e.actor_id FROM audit_events e
         WHERE e.entity_type = 'item' AND e.entity_id = ANY(@item_keys) AND e.actor_id IS NOT NULL
           AND e.action = ANY(@edit_actions)
        """;

    // The people who worked on an item: whoever it is assigned to, whoever edited it and, passed
    // in, whoever had marked it Ready.
    private const string Workers = $"""
        SELECT a.item_id, a.user_id FROM item_assignments a WHERE a.item_id = ANY(@items)
        UNION
        {Editors}
        UNION
        SELECT r.item_id, r.user_id FROM unnest(@items, @ready_by) AS r(item_id, user_id) WHERE r.user_id IS NOT NULL
        """;

    private static readonly string[] EditActions = [AuditActions.ItemEdited, AuditActions.ItemBulkEdited, AuditActions.ItemRevisionAccepted];

    // Send back and reject: everyone who worked on the item hears it, with the reason. Set-based, on
    // the transitions' own connection and transaction (a bulk move of 1,000 items is one statement).
    public static async Task ItemsReturnedAsync(NpgsqlConnection conn, Actor actor, IReadOnlyList<(long ItemId, WorkflowAction Action, string? ReadyBy, string? Reason)> moves, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var group in moves.GroupBy(m => (m.Action, m.Reason)))
        {
            var kind = group.Key.Action == WorkflowAction.Reject ? NotificationKinds.Rejected : NotificationKinds.SentBack;
            await InsertForWorkersAsync(conn, actor, kind, group.Select(m => m.ItemId).ToArray(), group.Select(m => m.ReadyBy).ToArray(),
                editorsOnly: false, group.Key.Reason, now, ct);
        }
    }

    // A source revision waits on items people edited: the editors hear it.
    public static Task SourceRevisionAsync(NpgsqlConnection conn, Actor actor, long itemId, DateTimeOffset now, CancellationToken ct) =>
        InsertForWorkersAsync(conn, actor, NotificationKinds.SourceRevision, [itemId], [null], editorsOnly: true, null, now, ct);

    private static async Task InsertForWorkersAsync(NpgsqlConnection conn, Actor actor, string kind, long[] items, string?[] readyBy, bool editorsOnly,
        string? reason, DateTimeOffset now, CancellationToken ct)
    {
        // Only people who may read items now are notified (Readers; a ReadyBy may also name the command line).
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO notifications (user_id, kind, item_id, actor_id, actor_name, reason, created_at)
            SELECT w.user_id, @kind, w.item_id, @actor_id, @actor_name, @reason, @now
              FROM (SELECT DISTINCT * FROM ({(editorsOnly ? Editors : Workers)}) AS x) AS w(item_id, user_id)
              JOIN "AspNetUsers" u ON u.id = w.user_id
             WHERE w.user_id IS DISTINCT FROM @actor_id AND {People.Readers.SqlCondition("u")}
             ORDER BY w.item_id, w.user_id
            """, conn);
        insert.Parameters.AddWithValue("kind", kind);
        insert.Parameters.AddWithValue("items", items);
        insert.Parameters.AddWithValue("item_keys", items.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        insert.Parameters.AddWithValue("edit_actions", EditActions);
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("ready_by", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = readyBy });
        insert.Parameters.Add(new NpgsqlParameter<string?>("actor_id", NpgsqlDbType.Text) { TypedValue = actor.UserId });
        insert.Parameters.AddWithValue("actor_name", UnicodeText.Clip(actor.Name, 256, ""));
        insert.Parameters.Add(new NpgsqlParameter<string?>("reason", NpgsqlDbType.Text) { TypedValue = Cap(reason) });
        insert.Parameters.AddWithValue("now", now);
        insert.Parameters.AddRange(People.Readers.Parameters(now));
        await insert.ExecuteNonQueryAsync(ct);
    }

    internal static string? Cap(string? reason) => reason is null ? null : UnicodeText.Clip(reason, MaxReasonLength, "");
}
