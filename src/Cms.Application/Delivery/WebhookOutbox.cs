using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cms.Application.Delivery;

// The webhook side of a move: one message per event (its webhook-id and exact body, fixed now) and
// one delivery row per enabled endpoint subscribed to the event, in the move's transaction; the
// NOTIFY wakes the senders at commit. Events nobody subscribed to are not stored.
public static class WebhookOutbox
{
    public sealed record Event(long ItemId, int Version, string Type, string? Document, DateTimeOffset At);

    public static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");

    public static string Body(Event e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", e.Type);
            json.WriteString("timestamp", DeliveryJson.Time(e.At));
            json.WritePropertyName("data");
            DeliveryJson.WriteEntry(json, e.ItemId, e.Version, e.Type == DeliveryEvents.Withdrawn, e.At, e.Document);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static async Task<int> EnqueueAsync(NpgsqlConnection conn, IReadOnlyList<Event> events, DateTimeOffset now, CancellationToken ct)
    {
        // Cheap question first: a deployment without webhooks renders no bodies.
        await using (var any = new NpgsqlCommand("SELECT array_agg(DISTINCT t) FROM webhook_endpoints, unnest(events) AS t WHERE enabled", conn))
        {
            var subscribed = await any.ExecuteScalarAsync(ct) as string[] ?? [];
            events = events.Where(e => subscribed.Contains(e.Type)).ToList();
        }
        if (events.Count == 0)
        {
            return 0;
        }
        await using var insert = new NpgsqlCommand("""
            WITH m AS (
              INSERT INTO webhook_messages (message_id, item_id, version, event_type, payload, created_at)
              SELECT u.message_id, u.item_id, u.version, u.event_type, u.payload, @now
              FROM unnest(@message_ids, @items, @versions, @types, @payloads) WITH ORDINALITY AS u(message_id, item_id, version, event_type, payload, n)
              ORDER BY u.n
              RETURNING id, item_id, event_type)
            INSERT INTO webhook_deliveries (message_id, endpoint_id, item_id, status, attempts, next_attempt_at, created_at)
            SELECT m.id, e.id, m.item_id, 'Pending', 0, @now, @now
            FROM m JOIN webhook_endpoints e ON e.enabled AND m.event_type = ANY (e.events)
            ORDER BY m.id, e.id
            """, conn);
        insert.Parameters.AddWithValue("now", now);
        insert.Parameters.AddWithValue("message_ids", events.Select(_ => NewMessageId()).ToArray());
        insert.Parameters.AddWithValue("items", events.Select(e => e.ItemId).ToArray());
        insert.Parameters.AddWithValue("versions", events.Select(e => e.Version).ToArray());
        insert.Parameters.AddWithValue("types", events.Select(e => e.Type).ToArray());
        insert.Parameters.AddWithValue("payloads", events.Select(Body).ToArray());
        var queued = await insert.ExecuteNonQueryAsync(ct);
        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{DeliveryRecorder.Channel}', '')", conn))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        return queued;
    }
}
