using System.Globalization;
using System.Text;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Auditing;

// The chain's head, written out of the database: `<seq> <hash> <UTC time>` lines appended to
// `<Audit:AnchorFolder>/<database>.anchors`. A file, not a table: whoever can rewrite the
// database (its owner, a superuser, a restored and edited backup) still cannot reach the app
// server's disk, so forging a history that passes `audit verify` needs both; a table owned by a
// separate role would still be in the hands of the database's superuser. Each instance appends
// to its own file (or to a shared one: whole lines, O_APPEND).
//
// Before it appends, the writer checks the chain from the previous anchor to the new head (the
// previous anchor still in place, every hash since recomputed), so a rewrite is never anchored: the
// file keeps the last good head and `audit verify` fails against it. Events sealed after the latest
// anchor are covered from the next one on (Audit:AnchorSeconds).
public sealed class AuditAnchors(CmsDbContext db, AuditOptions options, AuditVerifier verifier, ILogger<AuditAnchors> log)
{
    public sealed record Anchor(long Seq, string Hash, DateTimeOffset At);

    public sealed record Outcome(Anchor? Latest, string File, bool Written, string? Refused);

    public static string FileFor(AuditOptions options, string database) => Path.Combine(options.AnchorFolder, database + ".anchors");

    public static async Task<string> DatabaseAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT current_database()", conn, tx);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    // Writes the sealed head when it moved and the latest anchor is older than Audit:AnchorSeconds
    // (or at once with `now`), after checking the chain since that anchor.
    public async Task<Outcome> AnchorAsync(bool now, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.Database.GetConnectionString());
        await conn.OpenAsync(ct);
        var file = FileFor(options, await DatabaseAsync(conn, null, ct));
        var latest = Latest(file);
        if (!now && latest is not null && DateTimeOffset.UtcNow - latest.At < options.AnchorInterval)
        {
            return new Outcome(latest, file, false, null);
        }
        Anchor head;
        await using (var headCmd = new NpgsqlCommand("SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1", conn))
        await using (var reader = await headCmd.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return new Outcome(latest, file, false, null);
            }
            // Microseconds, as the line keeps them.
            head = new Anchor(reader.GetInt64(0), reader.GetString(1), AuditRecord.Truncate(DateTimeOffset.UtcNow));
        }
        if (head.Seq == latest?.Seq && head.Hash == latest.Hash)
        {
            return new Outcome(latest, file, false, null);
        }
        if (await verifier.VerifySinceAsync(latest, head.Seq, ct) is { } problem)
        {
            var refused = $"not anchoring #{head.Seq}: event #{problem.Seq} {problem.Reason}";
            log.LogError("Audit trail: {Refused} (latest anchor #{Seq} in {File})", refused, latest?.Seq, file);
            return new Outcome(latest, file, false, refused);
        }
        Directory.CreateDirectory(options.AnchorFolder);
        var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{head.Seq} {head.Hash} {head.At:yyyy-MM-ddTHH:mm:ss.ffffffZ}\n"));
        await using (var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            await stream.WriteAsync(line, ct);
            stream.Flush(flushToDisk: true);
        }
        return new Outcome(head, file, true, null);
    }

    // The last complete, well-formed line of the file; null when there is none (no file yet).
    public static Anchor? Latest(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        // The tail is enough: lines are about 100 bytes.
        var tail = new byte[Math.Min(stream.Length, 4096)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        var lines = Encoding.ASCII.GetString(tail).Split('\n');
        // The last element follows the final line feed: empty, or a line still being written.
        for (var i = lines.Length - 2; i >= 0; i--)
        {
            if (Parse(lines[i]) is { } anchor)
            {
                return anchor;
            }
        }
        return null;
    }

    private static Anchor? Parse(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0
            && parts[1].Length == 64 && parts[1].All(char.IsAsciiHexDigitLower)
            && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? new Anchor(seq, parts[1], at)
            : null;
    }
}
