using System.Diagnostics;

namespace Cms.Bench;

// CPU seconds (user + system) spent by this process (the HTTP clients and the SQL baseline), by the
// app's process and by every PostgreSQL process while a measurement runs: on 2 shared cores the
// clients' own work is part of what the page's latency waits for (tools/scripts/cpu-split.sh reads
// the same /proc counters around an `ab` run). PostgreSQL's figure counts every database of the
// cluster, so another engineer's work would show in it: an upper bound on a busy machine.
public readonly record struct CpuSplit(double Bench, double App, double Postgres)
{
    private static readonly double Tick = 1.0 / 100; // USER_HZ: /proc counts in 1/100 s on Linux

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

    private static long Ticks(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0; // the process ended (or /proc is not Linux's): it adds nothing from here on
        }
    }

    private static long PostgresTicks()
    {
        long sum = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd() == "postgres")
                {
                    sum += Ticks(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return sum;
    }
}
