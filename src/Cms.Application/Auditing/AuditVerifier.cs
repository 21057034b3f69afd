using System.Data;
using System.Security.Cryptography;
using System.Text;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Auditing;

// `./cms audit verify`: recomputes every hash of the chain from the stored rows alone, in seq order,
// in one snapshot, streaming (memory does not grow with the trail). Checks, per event: seq has no
// gap, prev_hash is the previous event's hash, hash = SHA-256(prev_hash + "\n" + payload), and the
// row's columns say what the hashed payload says. With an anchor (a head hash kept outside the
// database), also that the chain still contains it, which catches a deleted tail.
public sealed class AuditVerifier(CmsDbContext db)
{
    public sealed record Problem(long Seq, long Id, string Reason);

    public sealed record Result(long Checked, string? Head, Problem? FirstBad, bool AnchorMissing)
    {
        public bool Ok => FirstBad is null && !AnchorMissing;
    }

    public async Task<Result> VerifyAsync(string? anchor, CancellationToken ct)
    {
        anchor = anchor?.Trim().ToLowerInvariant();
        await using var conn = new NpgsqlConnection(db.Database.GetConnectionString());
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT seq, id, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash FROM audit_events ORDER BY seq", conn);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var previous = AuditChain.Genesis;
        long expected = 1, count = 0;
        var anchorFound = false;
        var buffer = new byte[4096];
        var hash = new byte[SHA256.HashSizeInBytes];
        var stored = new byte[SHA256.HashSizeInBytes];
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var id = reader.GetInt64(1);
            var at = reader.GetFieldValue<DateTimeOffset>(2);
            var columns = new AuditRecord(at, Text(reader, 3), reader.GetString(4), reader.GetString(5), Text(reader, 6), Text(reader, 7),
                Text(reader, 8), Text(reader, 9), null);
            var payload = reader.GetString(10);
            var prevHash = reader.GetString(11);
            var ownHash = reader.GetString(12);

            if (seq != expected)
            {
                return Bad(count, previous, seq, id, $"event #{expected} is missing (the chain continues at #{seq})");
            }
            if (prevHash != previous)
            {
                return Bad(count, previous, seq, id, $"its prev_hash does not match the hash of event #{seq - 1}");
            }
            // The exact bytes that were hashed: prev_hash, a line feed, the payload as stored.
            var length = Encoding.UTF8.GetMaxByteCount(prevHash.Length + 1 + payload.Length);
            if (buffer.Length < length)
            {
                buffer = new byte[Math.Max(length, buffer.Length * 2)];
            }
            var written = Encoding.UTF8.GetBytes(prevHash, buffer);
            buffer[written++] = (byte)'\n';
            var payloadStart = written;
            written += Encoding.UTF8.GetBytes(payload, buffer.AsSpan(written));
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            if (ownHash.Length != 64 || Convert.FromHexString(ownHash, stored, out _, out _) != System.Buffers.OperationStatus.Done || !hash.AsSpan().SequenceEqual(stored))
            {
                return Bad(count, previous, seq, id, "its hash does not match its content");
            }
            var content = AuditRecord.Parse(buffer.AsSpan(payloadStart, written - payloadStart));
            if (content is null)
            {
                return Bad(count, previous, seq, id, "its payload is not an audit record");
            }
            if (Disagreement(columns, content) is { } column)
            {
                return Bad(count, previous, seq, id, $"its {column} column differs from the hashed payload");
            }
            previous = ownHash;
            anchorFound |= anchor is not null && ownHash == anchor;
            expected++;
            count++;
        }
        var head = count == 0 ? null : previous;
        return new Result(count, head, null, anchor is not null && !anchorFound);
    }

    private static Result Bad(long count, string previous, long seq, long id, string reason) =>
        new(count, count == 0 ? null : previous, new Problem(seq, id, reason), false);

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? Disagreement(AuditRecord columns, AuditRecord payload) =>
        columns.At.UtcTicks != payload.At.UtcTicks ? "at"
        : columns.ActorId != payload.ActorId ? "actor_id"
        : columns.Actor != payload.Actor ? "actor"
        : columns.Action != payload.Action ? "action"
        : columns.TargetType != payload.TargetType ? "entity_type"
        : columns.TargetId != payload.TargetId ? "entity_id"
        : columns.Ip != payload.Ip ? "ip"
        : columns.RequestId != payload.RequestId ? "request_id"
        : null;
}
