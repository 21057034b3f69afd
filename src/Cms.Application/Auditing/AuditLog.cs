using System.Text.Json;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Auditing;

// The single seam where audit events are written. Events are added to the caller's context, so
// they commit in the same transaction as the change they describe.
public static class AuditLog
{
    public static AuditEvent Add(CmsDbContext db, Actor actor, string action, string? targetType, string? targetId, object? data = null)
    {
        var audit = new AuditEvent
        {
            At = DateTimeOffset.UtcNow,
            Actor = actor.Name,
            Action = action,
            EntityType = targetType,
            EntityId = targetId,
            Data = data is null ? null : JsonSerializer.Serialize(data),
        };
        db.AuditEvents.Add(audit);
        return audit;
    }

    // A refusal changes nothing, so it is written on its own, outside the refused change.
    public static async Task RefusedAsync(CmsDbContext db, Actor actor, string attempted, string? targetType, string? targetId, string reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        Add(db, actor, AuditActions.AuthorizationRefused, targetType, targetId, new { attempted, reason });
        await db.SaveChangesAsync(ct);
    }

    // Many events at once by binary COPY, on the caller's connection and transaction (the importer).
    public static async Task CopyAsync(NpgsqlConnection conn, Actor actor, string action, string targetType,
        IEnumerable<(string TargetId, object? Data)> events, DateTimeOffset at, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY audit_events (at, actor, action, entity_type, entity_id, data) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (targetId, data) in events)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(actor.Name, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(action, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(targetType, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(targetId, NpgsqlDbType.Varchar, ct);
            if (data is null)
            {
                await copy.WriteNullAsync(ct);
            }
            else
            {
                await copy.WriteAsync(JsonSerializer.Serialize(data), NpgsqlDbType.Jsonb, ct);
            }
        }
        await copy.CompleteAsync(ct);
    }
}
