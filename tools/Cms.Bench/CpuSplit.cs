using System.Diagnostics;

namespace Cms.Bench;

// CPU milliseconds per request spent by this process (the HTTP clients and the SQL baseline), by the
// app's process and by every PostgreSQL process while a measurement runs: on 2 shared cores the
// clients' own work is part of what the page's latency waits for (tools/scripts/cpu-split.sh reads
// the same /proc counters around an `ab` run). PostgreSQL's figure counts every database of the
// cluster, so another engineer's work would show in it: an upper bound on a busy machine. Backends
// is the part of it spent by the measured database's backends (the statements themselves); the rest
// is the cluster's background processes (WAL writer, checkpointer, autovacuum) and other databases.
public readonly record struct CpuSplit(double Bench, double App, double Postgres, double Backends)
{
    // A reading of the counters: PostgreSQL's per process (whether it is a backend of the measured
    // database), to the nanosecond, so that a process that starts or ends between two readings
    // counts for its part instead of moving the sum by its whole life.
    public sealed record Reading(double Bench, double App, IReadOnlyDictionary<int, (double Seconds, bool Backend)> Postgres)
    {
        // Milliseconds per request since an earlier reading. A PostgreSQL process that ended in between
        // is left out (its last part is unknown); one that started counts whole.
        public CpuSplit PerRequestSince(Reading start, int requests)
        {
            double all = 0, backends = 0;
            foreach (var (pid, (seconds, backend)) in Postgres)
            {
                var spent = seconds - (start.Postgres.TryGetValue(pid, out var before) ? before.Seconds : 0);
                all += spent;
                backends += backend ? spent : 0;
            }
            return new((Bench - start.Bench) * 1000 / requests, (App - start.App) * 1000 / requests, all * 1000 / requests, backends * 1000 / requests);
        }
    }

    private const double Tick = 1 / ProcCpu.TicksPerSecond;

    public static Reading Now(int appPid, string database)
    {
        using var self = Process.GetCurrentProcess();
        // A backend's command line: "postgres: USER DATABASE HOST(PORT) STATE".
        var tag = $" {database} ";
        var postgres = new Dictionary<int, (double, bool)>();
        foreach (var (pid, command) in ProcCpu.Postgres())
        {
            if (ProcCpu.RunSeconds(pid) is { } seconds)
            {
                postgres[pid] = (seconds, command.StartsWith("postgres:", StringComparison.Ordinal) && command.Contains(tag, StringComparison.Ordinal));
            }
        }
        return new(self.TotalProcessorTime.TotalSeconds, Ticks(appPid) * Tick, postgres);
    }

    // Waits (at most 5 s) until the app spends at most one tick of CPU in a quarter of a second.
    public static async Task AppQuietAsync(int appPid, CancellationToken ct)
    {
        for (var i = 0; i < 20; i++)
        {
            var before = Ticks(appPid);
            await Task.Delay(250, ct);
            if (Ticks(appPid) - before <= 1)
            {
                return;
            }
        }
    }

    // An ended process (or a machine without Linux's /proc) adds nothing from here on.
    private static long Ticks(int pid) => ProcCpu.Ticks(pid) ?? 0;
}
