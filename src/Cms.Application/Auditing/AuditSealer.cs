using System.Data;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Auditing;

// Chains committed audit events into the trail: calls audit_seal() (AuditSealingSql), which takes
// the sealers' lock, reads the head and seals the unsealed events it can see in id order, in
// rounds of Audit:SealBatch. Any number of sealers may run (one per app instance, `./cms worker`,
// `./cms audit seal`): they take turns on the lock, nothing about the chain is kept in memory,
// and a sealer killed mid-round leaves its events unsealed for the next one (its transaction
// rolls back), so no event is lost, reordered after sealing or sealed twice.
public sealed class AuditSealer(CmsDbContext db, AuditOptions options)
{
    public sealed record Result(long Sealed, long HeadSeq, string? HeadHash);

    // Seals every event that had committed when it started (and any that commit meanwhile).
    public async Task<Result> SealAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.Database.GetConnectionString());
        await conn.OpenAsync(ct);
        long total = 0;
        while (true)
        {
            await using var tx = await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await using var cmd = new NpgsqlCommand("SELECT sealed, head_seq, head_hash FROM audit_seal(@n)", conn, tx);
            cmd.Parameters.AddWithValue("n", options.SealBatch);
            int sealedNow;
            long headSeq;
            string? headHash;
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                sealedNow = reader.GetInt32(0);
                headSeq = reader.GetInt64(1);
                headHash = headSeq == 0 ? null : reader.GetString(2);
            }
            await tx.CommitAsync(ct);
            total += sealedNow;
            if (sealedNow < options.SealBatch)
            {
                return new Result(total, headSeq, headHash);
            }
        }
    }
}
