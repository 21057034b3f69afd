using System.Diagnostics;
using Npgsql;

namespace Cms.Testing;

// A PostgreSQL primary and its streaming standby of the test's own, on free loopback ports in a
// folder under /var/tmp, torn down at the end: initdb (wal_level=replica and a replication entry for
// 127.0.0.1 are initdb's defaults), then `pg_basebackup -R -X stream` and a start in hot standby.
// Clusters run as the `postgres` OS user when the tests run as root (CI), which the server requires,
// else as the current user. Needs only the server binaries that ./cms test needs anyway.
public sealed class StreamingPair : IAsyncDisposable
{
    private readonly string _bin;

    private StreamingPair(string bin, string folder)
    {
        _bin = bin;
        Folder = folder;
    }

    public string Folder { get; }
    public int PrimaryPort { get; private set; }
    public int StandbyPort { get; private set; }

    private string PrimaryData => Path.Combine(Folder, "primary");
    private string StandbyData => Path.Combine(Folder, "standby");
    private string Sockets => Path.Combine(Folder, "run");

    public static async Task<StreamingPair> StartAsync()
    {
        var pair = new StreamingPair(BinaryFolder(), Path.Combine("/var/tmp", "cms-standby-" + Guid.NewGuid().ToString("N")[..10]));
        try
        {
            await pair.InitAsync();
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    // The superuser's connection to a database of one of the two servers.
    public string Superuser(int port, string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Database = database, Username = "postgres", Pooling = false }.ConnectionString;

    public string As(int port, string database, string role) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Database = database, Username = role }.ConnectionString;

    private async Task InitAsync()
    {
        Directory.CreateDirectory(Sockets);
        await OwnAsync(Folder);
        await RunAsync("initdb", "-D", PrimaryData, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        PrimaryPort = LocalPorts.Free();
        await StartAsync(PrimaryData, PrimaryPort, "primary.log");
        await RunAsync("pg_basebackup", "-h", "127.0.0.1", "-p", PrimaryPort.ToString(), "-U", "postgres", "-D", StandbyData,
            "-R", "-X", "stream", "-c", "fast", "--no-sync");
        StandbyPort = LocalPorts.Free();
        await StartStandbyAsync();
    }

    public Task StartStandbyAsync() => StartAsync(StandbyData, StandbyPort, "standby.log");

    public Task StopStandbyAsync() => RunAsync("pg_ctl", "-D", StandbyData, "-m", "fast", "-w", "stop");

    public async Task<bool> StandbyRunningAsync() => await RunAsync(false, "pg_ctl", "-D", StandbyData, "status") == 0;

    // Replay stops before the next WAL record it reads; the standby keeps answering with what it has.
    public Task PauseReplayAsync() => StandbySqlAsync("SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => StandbySqlAsync("SELECT pg_wal_replay_resume()");

    // The commit time (on the primary) of the last transaction the standby replayed.
    public async Task<DateTimeOffset> LastReplayedCommitAsync() =>
        new(DateTime.SpecifyKind(await ScalarAsync<DateTime>(Superuser(StandbyPort), "SELECT pg_last_xact_replay_timestamp()"), DateTimeKind.Utc));

    // Waits until the standby has replayed everything the primary had written when called (replay
    // only moves forward, so this is a condition, not a race; the limit is a safety net).
    public async Task CaughtUpAsync()
    {
        var target = await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(Superuser(PrimaryPort), "SELECT pg_current_wal_lsn()");
        var clock = Stopwatch.StartNew();
        while ((ulong)await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(Superuser(StandbyPort), "SELECT pg_last_wal_replay_lsn()") < (ulong)target)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"safety net: the standby did not replay up to {target} within 60 s");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var data in new[] { StandbyData, PrimaryData })
        {
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await RunAsync(false, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop");
            }
        }
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private Task StandbySqlAsync(string sql) => ScalarAsync<object>(Superuser(StandbyPort), sql);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private Task StartAsync(string data, int port, string log) =>
        RunAsync("pg_ctl", "-D", data, "-l", Path.Combine(Folder, log), "-w", "-t", "60",
            "-o", $"-p {port} -k {Sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB -c max_connections=60", "start");

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsync(params string[] args) => RunAsync(true, args);

    // Runs a server binary as the clusters' owner; with `check`, a failure throws with its output.
    private async Task<int> RunAsync(bool check, params string[] args)
    {
        var start = new ProcessStartInfo(IsRoot ? "runuser" : Path.Combine(_bin, args[0]))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (IsRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(_bin, args[0]) })
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (var a in args.Skip(1))
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{args[0]} failed ({process.ExitCode}): {await error}{await output}");
        }
        return process.ExitCode;
    }

    // As root the folder belongs to postgres (the server refuses to run as root).
    private static async Task OwnAsync(string folder)
    {
        if (!IsRoot)
        {
            return;
        }
        using var chown = Process.Start("chown", ["-R", "postgres:", folder])!;
        await chown.WaitForExitAsync();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown -R postgres: {folder} failed; is there a 'postgres' OS user (apt-get install postgresql)?");
        }
    }

    // As ./cms finds them: pg_ctl on PATH (its real folder, where pg_basebackup lives too), else the
    // newest /usr/lib/postgresql/*/bin.
    private static string BinaryFolder()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "pg_ctl")).FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            var real = Path.GetDirectoryName(new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath)!;
            if (File.Exists(Path.Combine(real, "pg_basebackup")) && File.Exists(Path.Combine(real, "initdb")))
            {
                return real;
            }
        }
        return (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_basebackup")))
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found: apt-get install -y postgresql");
    }
}
