using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Cms.Core.Text;

namespace Cms.Application.Auditing;

// The single seam where audit events are written. Events are added to the caller's context, so
// they commit in the same transaction as the change they describe; a change whose event cannot be
// written does not happen. Events go in unsealed and take no lock: the sealer (AuditSealer,
// audit_seal()) chains committed events shortly after, so writers never wait for one another here.
public static class AuditLog
{
    public static AuditEvent Add(CmsDbContext db, Actor actor, string action, string? targetType, string? targetId, object? data = null)
    {
        var audit = Event(Record(actor, action, targetType, targetId, AuditRecord.SerializeData(data), DateTimeOffset.UtcNow));
        db.AuditEvents.Add(audit);
        return audit;
    }

    // Many events at once by binary COPY, on the caller's connection and transaction (the importer,
    // the publishing worker, bulk moves): unsealed, like every other event.
    public static async Task CopyAsync(NpgsqlConnection conn, Actor actor, string action, string targetType,
        IEnumerable<(string TargetId, object? Data)> events, DateTimeOffset at, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync(UnsealedCopy, ct);
        foreach (var (targetId, data) in events)
        {
            var record = Record(actor, action, targetType, targetId, AuditRecord.SerializeData(data), at);
            await copy.StartRowAsync(ct);
            await WriteEventColumnsAsync(copy, record, record.ToPayload(), ct);
        }
        await copy.CompleteAsync(ct);
    }

    public const string UnsealedCopy =
        "COPY audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload) FROM STDIN (FORMAT BINARY)";

    // COPY of events that arrive already chained: only the owner can do that, with the
    // audit_events_unsealed trigger disabled (the benchmarks build large trails this way).
    public const string ChainedCopy =
        "COPY audit_events (seq, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash) FROM STDIN (FORMAT BINARY)";

    public static async Task WriteChainedRowAsync(NpgsqlBinaryImporter copy, long seq, AuditRecord record, string payload, string previous, string hash, CancellationToken ct)
    {
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(seq, NpgsqlDbType.Bigint, ct);
        await WriteEventColumnsAsync(copy, record, payload, ct);
        await copy.WriteAsync(previous, NpgsqlDbType.Char, ct);
        await copy.WriteAsync(hash, NpgsqlDbType.Char, ct);
    }

    // The columns from `at` to `payload`, in that order: all an event holds besides its chain.
    public static async Task WriteEventColumnsAsync(NpgsqlBinaryImporter copy, AuditRecord record, string payload, CancellationToken ct)
    {
        await copy.WriteAsync(record.At, NpgsqlDbType.TimestampTz, ct);
        await Nullable(copy, record.ActorId, ct);
        await Nullable(copy, record.Actor, ct);
        await Nullable(copy, record.Action, ct);
        await Nullable(copy, record.TargetType, ct);
        await Nullable(copy, record.TargetId, ct);
        await Nullable(copy, record.Ip, ct);
        await Nullable(copy, record.RequestId, ct);
        await copy.WriteAsync(payload, NpgsqlDbType.Text, ct);
    }

    public static AuditRecord Record(Actor actor, string action, string? targetType, string? targetId, string? dataJson, DateTimeOffset at) =>
        new(AuditRecord.Truncate(at), actor.UserId, Cap(actor.Name, 256)!, action, targetType, targetId, Cap(actor.Ip, 64), Cap(actor.RequestId, 128), dataJson);

    public static AuditEvent Event(AuditRecord record) => new()
    {
        At = record.At,
        ActorId = record.ActorId,
        Actor = record.Actor,
        Action = record.Action,
        EntityType = record.TargetType,
        EntityId = record.TargetId,
        Ip = record.Ip,
        RequestId = record.RequestId,
        Payload = record.ToPayload(),
    };

    // The columns have widths; the payload must say exactly what the columns hold.
    internal static string? Cap(string? value, int max) => value is { Length: > 0 } v ? UnicodeText.Clip(v, max, "") : value;

    private static Task Nullable(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Varchar, ct);
}
