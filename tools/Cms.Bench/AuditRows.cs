using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Npgsql;

namespace Cms.Bench;

// Audit rows for the baselines: unsealed, as writers store them, or with their chain computed here,
// as the sealer would leave them (a COPY only the owner can make, with the writers' guard off).
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

    // The trigger that refuses chained rows from writers (AuditSealingSql); off, the owner can COPY a
    // whole chain at once.
    public static async Task SetUnsealedGuardAsync(NpgsqlConnection conn, bool enabled, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"ALTER TABLE audit_events {(enabled ? "ENABLE" : "DISABLE")} TRIGGER audit_events_unsealed", conn);
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

    // The same rows unsealed, as writers store them (AuditLog.CopyAsync).
    public static async Task CopyUnsealedAsync(NpgsqlConnection conn, IEnumerable<(AuditRecord Record, string Payload)> rows, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync(AuditLog.UnsealedCopy, ct);
        foreach (var (record, payload) in rows)
        {
            await copy.StartRowAsync(ct);
            await AuditLog.WriteEventColumnsAsync(copy, record, payload, ct);
        }
        await copy.CompleteAsync(ct);
    }
}
