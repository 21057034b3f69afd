using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Auditing;

// The single seam where audit events are written. Events are added to the caller's context, so
// they commit in the same transaction as the change they describe; a change whose event cannot be
// written does not happen. The database chains them (AuditTrailSql): seq, prev_hash and hash are
// assigned by a trigger under an advisory lock held to commit (CopyAsync computes them under the
// same lock), so the chain order is the commit order for every path.
public static class AuditLog
{
    public static AuditEvent Add(CmsDbContext db, Actor actor, string action, string? targetType, string? targetId, object? data = null)
    {
        var audit = Event(Record(actor, action, targetType, targetId, AuditRecord.SerializeData(data), DateTimeOffset.UtcNow));
        db.AuditEvents.Add(audit);
        return audit;
    }

    // Many events at once by binary COPY, on the caller's connection and transaction (the importer,
    // the publishing worker, bulk moves). The chain is computed here rather than row by row in the
    // trigger (about 10 µs a row less, measured): under the chain lock, held to the caller's commit,
    // read the head and send each row with its seq, prev_hash and hash. Outside a transaction the lock
    // would not hold; the unique seq then turns a race into an error, never a fork.
    public static async Task CopyAsync(NpgsqlConnection conn, Actor actor, string action, string targetType,
        IEnumerable<(string TargetId, object? Data)> events, DateTimeOffset at, CancellationToken ct)
    {
        long seq = 0;
        var previous = AuditChain.Genesis;
        await using (var head = new NpgsqlCommand($"{AuditChainLock.Sql}; SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", conn))
        await using (var reader = await head.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                seq = reader.GetInt64(0);
                previous = reader.GetString(1);
            }
        }
        await using var copy = await conn.BeginBinaryImportAsync(ChainedCopy, ct);
        foreach (var (targetId, data) in events)
        {
            var record = Record(actor, action, targetType, targetId, AuditRecord.SerializeData(data), at);
            var payload = record.ToPayload();
            var hash = AuditChain.Hash(previous, payload);
            await WriteChainedRowAsync(copy, ++seq, record, payload, previous, hash, ct);
            previous = hash;
        }
        await copy.CompleteAsync(ct);
    }

    // COPY of events that arrive chained (the trigger leaves them as they are), and one such row;
    // the benchmarks' baselines write exactly these rows too.
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

    // For a transaction begun outside EF (UseTransaction), before its first audited write.
    public static Task LockChainAsync(CmsDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(AuditChainLock.Sql, ct);

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
    private static string? Cap(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;

    private static Task Nullable(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Varchar, ct);
}
