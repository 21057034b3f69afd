using System.Diagnostics;

namespace Cms.Bench;

// CPU seconds (user + system) spent by this process (the HTTP clients and the SQL baseline), by the
// app's process and by every PostgreSQL process while a measurement runs: on 2 shared cores the
// clients' own work is part of what the page's latency waits for (tools/scripts/cpu-split.sh reads
// the same /proc counters around an `ab` run). PostgreSQL's figure counts every database of the
// cluster, so another engineer's work would show in it: an upper bound on a busy machine.
public readonly record struct CpuSplit(double Bench, double App, double Postgres)
{
    private const double Tick = 1 / ProcCpu.TicksPerSecond;

    public static CpuSplit Now(int appPid)
    {
        using var self = Process.GetCurrentProcess();
        return new(self.TotalProcessorTime.TotalSeconds, Ticks(appPid) * Tick, PostgresTicks() * Tick);
    }

    // Milliseconds per request between two readings.
    public CpuSplit PerRequestSince(CpuSplit start, int requests) =>
        new((Bench - start.Bench) * 1000 / requests, (App - start.App) * 1000 / requests, (Postgres - start.Postgres) * 1000 / requests);

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

    private static long PostgresTicks() => ProcCpu.Postgres().Sum(p => Ticks(p.Pid));
}
