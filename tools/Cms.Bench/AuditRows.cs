using Cms.Core.Auditing;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Bench;

// Audit rows with their chain computed here, for the baselines: a plain COPY of exactly the rows the
// chain trigger would have produced, with the trigger off.
public static class AuditRows
{
    public sealed record Row(long Seq, AuditRecord Record, string Payload, string PrevHash, string Hash);

    public static List<Row> Chain(IEnumerable<AuditRecord> records, ref long seq, ref string previous)
    {
        var rows = new List<Row>();
        foreach (var record in records)
        {
            var payload = record.ToPayload();
            var hash = AuditChain.Hash(previous, payload);
            rows.Add(new Row(++seq, record, payload, previous, hash));
            previous = hash;
        }
        return rows;
    }

    public static async Task SetChainTriggerAsync(NpgsqlConnection conn, bool enabled, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"ALTER TABLE audit_events {(enabled ? "ENABLE" : "DISABLE")} TRIGGER audit_events_chain", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task CopyAsync(NpgsqlConnection conn, IEnumerable<Row> rows, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY audit_events (seq, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            var r = row.Record;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(row.Seq, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(r.At, NpgsqlDbType.TimestampTz, ct);
            await Text(copy, r.ActorId, ct);
            await Text(copy, r.Actor, ct);
            await Text(copy, r.Action, ct);
            await Text(copy, r.TargetType, ct);
            await Text(copy, r.TargetId, ct);
            await Text(copy, r.Ip, ct);
            await Text(copy, r.RequestId, ct);
            await copy.WriteAsync(row.Payload, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(row.PrevHash, NpgsqlDbType.Char, ct);
            await copy.WriteAsync(row.Hash, NpgsqlDbType.Char, ct);
        }
        await copy.CompleteAsync(ct);
    }

    // The same rows without their chain: the trigger computes it row by row.
    public static async Task CopyUnchainedAsync(NpgsqlConnection conn, IEnumerable<Row> rows, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            var r = row.Record;
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(r.At, NpgsqlDbType.TimestampTz, ct);
            await Text(copy, r.ActorId, ct);
            await Text(copy, r.Actor, ct);
            await Text(copy, r.Action, ct);
            await Text(copy, r.TargetType, ct);
            await Text(copy, r.TargetId, ct);
            await Text(copy, r.Ip, ct);
            await Text(copy, r.RequestId, ct);
            await copy.WriteAsync(row.Payload, NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private static Task Text(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Varchar, ct);
}
