using System.Data;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
//
// Speed (a million events in seconds): text columns are read as their UTF-8 bytes, hashed as they
// came off the wire and compared inside the JSON reader, so no row allocates strings.
public sealed class AuditVerifier(CmsDbContext db)
{
    public sealed record Problem(long Seq, long Id, string Reason);

    public sealed record Result(long Checked, string? Head, Problem? FirstBad, bool AnchorMissing)
    {
        public bool Ok => FirstBad is null && !AnchorMissing;
    }

    private static readonly byte[] LineFeed = [(byte)'\n'];

    // Columns 3-9 in payload order, with their payload property names.
    private static readonly (string Column, byte[] Property)[] Envelope =
    [
        ("actor_id", "actorId"u8.ToArray()), ("actor", "actor"u8.ToArray()), ("action", "action"u8.ToArray()),
        ("entity_type", "targetType"u8.ToArray()), ("entity_id", "targetId"u8.ToArray()), ("ip", "ip"u8.ToArray()), ("request_id", "requestId"u8.ToArray()),
    ];

    public async Task<Result> VerifyAsync(string? anchor, CancellationToken ct)
    {
        var anchorBytes = anchor is null ? null : Encoding.ASCII.GetBytes(anchor.Trim().ToLowerInvariant());
        await using var conn = new NpgsqlConnection(db.Database.GetConnectionString());
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT seq, id, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash FROM audit_events ORDER BY seq", conn);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var previous = Encoding.ASCII.GetBytes(AuditChain.Genesis);
        var computed = new byte[SHA256.HashSizeInBytes];
        var hex = new byte[SHA256.HashSizeInBytes * 2];
        var columns = new byte[]?[Envelope.Length];
        long expected = 1, count = 0;
        var anchorFound = false;
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var id = reader.GetInt64(1);
            var at = reader.GetFieldValue<DateTime>(2).Ticks;
            for (var c = 0; c < columns.Length; c++)
            {
                columns[c] = reader.IsDBNull(3 + c) ? null : reader.GetFieldValue<byte[]>(3 + c);
            }
            var payload = reader.GetFieldValue<byte[]>(10);
            var prevHash = reader.GetFieldValue<byte[]>(11);
            var hash = reader.GetFieldValue<byte[]>(12);

            if (seq != expected)
            {
                return Bad(count, previous, seq, id, $"event #{expected} is missing (the chain continues at #{seq})");
            }
            if (!prevHash.AsSpan().SequenceEqual(previous))
            {
                return Bad(count, previous, seq, id, $"its prev_hash does not match the hash of event #{seq - 1}");
            }
            // The exact bytes that were hashed: prev_hash, a line feed, the payload as stored.
            sha.AppendData(prevHash);
            sha.AppendData(LineFeed);
            sha.AppendData(payload);
            sha.GetHashAndReset(computed);
            Convert.TryToHexStringLower(computed, hex, out _);
            if (!hex.AsSpan().SequenceEqual(hash))
            {
                return Bad(count, previous, seq, id, "its hash does not match its content");
            }
            if (Disagreement(payload, at, columns) is { } problem)
            {
                return Bad(count, previous, seq, id, problem);
            }
            previous = hash;
            anchorFound |= anchorBytes is not null && hash.AsSpan().SequenceEqual(anchorBytes);
            expected++;
            count++;
        }
        return new Result(count, count == 0 ? null : Encoding.ASCII.GetString(previous), null, anchorBytes is not null && !anchorFound);
    }

    private static Result Bad(long count, byte[] previous, long seq, long id, string reason) =>
        new(count, count == 0 ? null : Encoding.ASCII.GetString(previous), new Problem(seq, id, reason), false);

    // Null when the payload is a version-1 record whose envelope says what the columns say;
    // otherwise which column (or what) differs.
    private static string? Disagreement(byte[] payload, long atTicks, byte[]?[] columns)
    {
        try
        {
            var json = new Utf8JsonReader(payload);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return "its payload is not an audit record";
            }
            var seen = 0;
            var version = false;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                if (json.ValueTextEquals("v"u8))
                {
                    json.Read();
                    version = json.TokenType == JsonTokenType.Number && json.TryGetInt32(out var v) && v == AuditRecord.Version;
                    continue;
                }
                if (json.ValueTextEquals("at"u8))
                {
                    json.Read();
                    if (!json.TryGetDateTimeOffset(out var at) || at.UtcTicks != atTicks)
                    {
                        return "its at column differs from the hashed payload";
                    }
                    seen++;
                    continue;
                }
                var index = -1;
                for (var e = 0; e < Envelope.Length && index < 0; e++)
                {
                    index = json.ValueTextEquals(Envelope[e].Property) ? e : -1;
                }
                json.Read();
                if (index < 0)
                {
                    json.Skip();
                    continue;
                }
                var column = columns[index];
                var same = column is null ? json.TokenType == JsonTokenType.Null : json.TokenType == JsonTokenType.String && json.ValueTextEquals(column);
                if (!same)
                {
                    return $"its {Envelope[index].Column} column differs from the hashed payload";
                }
                seen++;
            }
            return version && seen == Envelope.Length + 1 ? null : "its payload is not an audit record";
        }
        catch (JsonException)
        {
            return "its payload is not an audit record";
        }
    }
}
