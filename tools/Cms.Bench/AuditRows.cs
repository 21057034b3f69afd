using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Npgsql;

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
        await using var copy = await conn.BeginBinaryImportAsync(AuditLog.ChainedCopy, ct);
        foreach (var row in rows)
        {
            await AuditLog.WriteChainedRowAsync(copy, row.Seq, row.Record, row.Payload, row.PrevHash, row.Hash, ct);
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
            await copy.StartRowAsync(ct);
            await AuditLog.WriteEventColumnsAsync(copy, row.Record, row.Payload, ct);
        }
        await copy.CompleteAsync(ct);
    }
}
