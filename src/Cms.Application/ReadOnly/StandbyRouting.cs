using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.ReadOnly;

// Decides, per connection of the read-only context, whether the standby may answer: it must be
// reachable, in recovery (a standby, not a promoted copy living its own life) and at most MaxLag
// behind the primary. One look costs a round trip to each server, so an instance trusts it for
// CheckInterval; concurrent requests meanwhile use the last answer instead of queueing for a new one.
//
// Lag: the primary's WAL position is read first, then the standby's replay position. A standby that
// has replayed up to it is not behind at all; otherwise it is behind by the age of the last
// transaction it replayed (pg_last_xact_replay_timestamp, the commit time on the primary), measured
// with this instance's clock. That over-estimates when the primary was idle before its latest
// write, which only sends reads to the primary a little early; it never under-estimates, and a
// standby whose WAL receiver has stopped is caught because its replay position stops moving while
// the primary's does.
//
// Several instances: each one looks at the standby on its own and caches only its own decision.
// Nothing is written from what was read on the standby, so instances need not agree: whichever
// decision an instance holds, what it serves is at most MaxLag + CheckInterval old, and what the
// standby serves is always a prefix of the primary's commits (it replays them in commit order), so a
// consumer sent to different instances sees older or newer states, never a wrong one.
public sealed class StandbyRouting(ReadOnlyOptions options, string primary, TimeProvider clock, ILogger<StandbyRouting> log)
{
    public sealed record Decision(bool UseStandby, string Reason, DateTimeOffset CheckedAt);

    private readonly SemaphoreSlim _looking = new(1, 1);
    private readonly string _primaryCheck = CheckConnection(primary);
    private readonly string? _standbyCheck = options.Standby is { } s ? CheckConnection(s) : null;
    private Decision? _last;

    public string PrimaryReads { get; } = ReadOnlyOptions.ReadOnlySessions(primary);

    public string? StandbyReads { get; } = options.Standby is { } s ? ReadOnlyOptions.ReadOnlySessions(s) : null;

    // The last decision, for a synchronous open that cannot look now.
    public Decision? Last => Volatile.Read(ref _last);

    public async ValueTask<Decision> CurrentAsync(CancellationToken ct)
    {
        if (_standbyCheck is null)
        {
            return new Decision(false, "no standby configured", clock.GetUtcNow());
        }
        var last = Last;
        if (last is not null && clock.GetUtcNow() - last.CheckedAt < options.CheckInterval)
        {
            return last;
        }
        // Someone is looking already: the previous answer will do for this request.
        if (last is not null && options.CheckInterval > TimeSpan.Zero && !await _looking.WaitAsync(0, ct))
        {
            return last;
        }
        if (last is null || options.CheckInterval == TimeSpan.Zero)
        {
            await _looking.WaitAsync(ct);
        }
        try
        {
            last = Last;
            if (last is not null && options.CheckInterval > TimeSpan.Zero && clock.GetUtcNow() - last.CheckedAt < options.CheckInterval)
            {
                return last;
            }
            var decision = await LookAsync(ct);
            if (last is null || last.UseStandby != decision.UseStandby)
            {
                log.LogInformation("read-only queries go to the {Server}: {Reason}", decision.UseStandby ? "standby" : "primary", decision.Reason);
            }
            Volatile.Write(ref _last, decision);
            return decision;
        }
        finally
        {
            _looking.Release();
        }
    }

    // A connection to the standby failed between two looks: the primary answers until the next look.
    public void StandbyFailed(Exception error)
    {
        log.LogWarning(error, "the standby refused a connection; read-only queries go to the primary");
        Volatile.Write(ref _last, new Decision(false, "unreachable: " + error.Message, clock.GetUtcNow()));
    }

    // Runs a read of the read-only context; when it fails on the standby for a reason of the
    // standby's (a pooled connection the standby ended when it stopped, a query cancelled by a
    // recovery conflict), the standby is given up until the next look and the read runs again on the
    // primary. Only for reads that have sent nothing yet (not a streaming export).
    public async Task<T> ReadAsync<T>(CmsReadOnlyDbContext db, Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        try
        {
            return await read(ct);
        }
        catch (NpgsqlException ex) when (db.OnStandby && IsStandbyTrouble(ex))
        {
            StandbyFailed(ex);
            if (StandbyReads is not null)
            {
                // Its other pooled connections were ended too.
                NpgsqlConnection.ClearPool(new NpgsqlConnection(StandbyReads));
            }
            await db.Database.CloseConnectionAsync();
            return await read(ct);
        }
    }

    private static bool IsStandbyTrouble(NpgsqlException ex) => ex is PostgresException pg
        ? pg.SqlState.StartsWith("57", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState == PostgresErrorCodes.SerializationFailure
        : ex.IsTransient || ex.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException;

    private async Task<Decision> LookAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            ulong primaryLsn;
            await using (var conn = new NpgsqlConnection(_primaryCheck))
            {
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()", conn);
                primaryLsn = (ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(ct))!;
            }
            await using (var conn = new NpgsqlConnection(_standbyCheck))
            {
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp()", conn);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (!reader.GetBoolean(0))
                {
                    return new Decision(false, "the read-only server is not in recovery (not a standby)", now);
                }
                var replayed = reader.IsDBNull(1) ? 0UL : (ulong)reader.GetFieldValue<NpgsqlTypes.NpgsqlLogSequenceNumber>(1);
                if (replayed >= primaryLsn)
                {
                    return new Decision(true, "caught up", now);
                }
                if (reader.IsDBNull(2))
                {
                    return new Decision(false, "behind the primary and has replayed no transaction yet", now);
                }
                var lag = now - reader.GetFieldValue<DateTimeOffset>(2);
                return lag <= options.MaxLag
                    ? new Decision(true, $"{lag.TotalSeconds:F1} s behind", now)
                    : new Decision(false, $"{lag.TotalSeconds:F1} s behind (more than {options.MaxLag.TotalSeconds:F0} s)", now);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new Decision(false, "unreachable: " + ex.Message, now);
        }
    }

    // A look gives up quickly: a standby that does not answer in seconds is not one to read from.
    private static string CheckConnection(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3, CommandTimeout = 3 }.ConnectionString;
}
