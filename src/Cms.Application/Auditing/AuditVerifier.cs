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
// in one snapshot, streaming (memory does not grow with the trail). Checks, per sealed event: seq
// has no gap, prev_hash is the previous event's hash, hash = SHA-256(prev_hash + "\n" + payload),
// and the row's columns say what the hashed payload says. Then: the latest anchor kept outside the
// database (AuditAnchors) must be in the chain at its seq with its hash, which catches a rewritten
// or deleted history even when every hash was recomputed; with --anchor, also that the chain still
// contains that hash; and no event may have waited longer than Audit:SealWithin to be sealed.
//
// Speed (a million events in seconds): text columns are read as their UTF-8 bytes, hashed as they
// came off the wire and compared inside the JSON reader, so no row allocates strings.
public sealed class AuditVerifier(CmsDbContext db, AuditOptions options)
{
    public sealed record Problem(long Seq, long Id, string Reason);

    // The latest anchor of the kept file, and why the chain no longer holds it (null: it does).
    public sealed record KeptAnchor(AuditAnchors.Anchor Anchor, string File, string? Failure);

    public sealed record Result(long Checked, string? Head, Problem? FirstBad, bool AnchorMissing)
    {
        public string? AnchorFile { get; init; }
        public KeptAnchor? Kept { get; init; }
        public long Unsealed { get; init; }
        public DateTimeOffset? OldestUnsealed { get; init; }
        public bool UnsealedTooLong { get; init; }

        public bool Ok => FirstBad is null && !AnchorMissing && Kept?.Failure is null && !UnsealedTooLong;
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
        // One snapshot for the chain, the unsealed events and the database's clock.
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var file = AuditAnchors.FileFor(options, await AuditAnchors.DatabaseAsync(conn, tx, ct));
        var kept = AuditAnchors.Latest(file);
        var anchorFound = false;
        byte[]? keptSeen = null;
        var walk = await WalkAsync(conn, tx, 0, Encoding.ASCII.GetBytes(AuditChain.Genesis), null, (seq, hash) =>
        {
            anchorFound |= anchorBytes is not null && hash.AsSpan().SequenceEqual(anchorBytes);
            if (kept is not null && seq == kept.Seq)
            {
                keptSeen = hash;
            }
        }, ct);
        var head = walk.Count == 0 ? null : Encoding.ASCII.GetString(walk.Head);
        if (walk.Bad is not null)
        {
            return new Result(walk.Count, head, walk.Bad, false) { AnchorFile = file };
        }
        await using var pending = new NpgsqlCommand("SELECT count(*), min(at), now() FROM audit_events WHERE seq IS NULL", conn, tx);
        await using var reader = await pending.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var unsealed = reader.GetInt64(0);
        DateTimeOffset? oldest = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        var now = reader.GetFieldValue<DateTimeOffset>(2);
        return new Result(walk.Count, head, null, anchorBytes is not null && !anchorFound)
        {
            AnchorFile = file,
            Kept = kept is null ? null : new KeptAnchor(kept, file, KeptFailure(kept, keptSeen, walk.HeadSeq)),
            Unsealed = unsealed,
            OldestUnsealed = oldest,
            UnsealedTooLong = oldest is { } o && now - o > options.SealWithin,
        };
    }

    private static string? KeptFailure(AuditAnchors.Anchor kept, byte[]? seen, long headSeq) =>
        seen is null
            ? $"the chain ends at #{headSeq}, before the anchor's event #{kept.Seq}: events were removed"
            : seen.AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(kept.Hash))
                ? null
                : $"event #{kept.Seq} no longer has the anchored hash: the trail was rewritten";

    // Whether the chain from an anchor (or from the start) to `through` is intact and still holds the
    // anchor: what AuditAnchors checks before it writes the next one. Null when it is.
    public async Task<Problem?> VerifySinceAsync(AuditAnchors.Anchor? from, long through, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.Database.GetConnectionString());
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        if (from is not null)
        {
            await using var at = new NpgsqlCommand("SELECT id, hash FROM audit_events WHERE seq = @seq", conn, tx);
            at.Parameters.AddWithValue("seq", from.Seq);
            await using var reader = await at.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return new Problem(from.Seq, 0, "the anchored event is missing: events were removed");
            }
            if (reader.GetString(1) != from.Hash)
            {
                return new Problem(from.Seq, reader.GetInt64(0), "the anchored event no longer has the anchored hash: the trail was rewritten");
            }
        }
        var walk = await WalkAsync(conn, tx, from?.Seq ?? 0, Encoding.ASCII.GetBytes(from?.Hash ?? AuditChain.Genesis), through, null, ct);
        return walk.Bad ?? (walk.HeadSeq < through ? new Problem(walk.HeadSeq + 1, 0, $"event #{walk.HeadSeq + 1} is missing") : null);
    }

    private sealed record Walk(long Count, byte[] Head, long HeadSeq, Problem? Bad);

    // Sealed events after `after` (through `through`), each checked against the hash before it.
    private static async Task<Walk> WalkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long after, byte[] previous, long? through,
        Action<long, byte[]>? seen, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT seq, id, at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload, prev_hash, hash FROM audit_events "
            + $"WHERE seq > @after{(through is null ? "" : " AND seq <= @through")} ORDER BY seq", conn, tx);
        cmd.Parameters.AddWithValue("after", after);
        if (through is { } t)
        {
            cmd.Parameters.AddWithValue("through", t);
        }
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var computed = new byte[SHA256.HashSizeInBytes];
        var hex = new byte[SHA256.HashSizeInBytes * 2];
        var columns = new byte[]?[Envelope.Length];
        long expected = after + 1, count = 0;
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

            string? problem = null;
            if (seq != expected)
            {
                problem = $"event #{expected} is missing (the chain continues at #{seq})";
            }
            else if (!prevHash.AsSpan().SequenceEqual(previous))
            {
                problem = $"its prev_hash does not match the hash of event #{seq - 1}";
            }
            else
            {
                // The exact bytes that were hashed: prev_hash, a line feed, the payload as stored.
                sha.AppendData(prevHash);
                sha.AppendData(LineFeed);
                sha.AppendData(payload);
                sha.GetHashAndReset(computed);
                Convert.TryToHexStringLower(computed, hex, out _);
                problem = !hex.AsSpan().SequenceEqual(hash) ? "its hash does not match its content" : Disagreement(payload, at, columns);
            }
            if (problem is not null)
            {
                return new Walk(count, previous, expected - 1, new Problem(seq, id, problem));
            }
            previous = hash;
            seen?.Invoke(seq, hash);
            expected++;
            count++;
        }
        return new Walk(count, previous, expected - 1, null);
    }

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
