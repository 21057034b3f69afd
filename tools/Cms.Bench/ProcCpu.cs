using System.Globalization;

namespace Cms.Bench;

// CPU time of processes on this machine, read from /proc (Linux; nothing elsewhere): one reader for
// the benches' CPU figures (BackendCpu, CpuSplit, BenchSupport.CpuSeconds), which differ only in
// which PostgreSQL processes they count.
internal static class ProcCpu
{
    public const double TicksPerSecond = 100; // USER_HZ on Linux

    // User + system CPU of a process in ticks; null when it has ended or /proc is not Linux's.
    public static long? Ticks(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): utime and stime are the 14th and
            // 15th of the line, the 12th and 13th after the name.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    // A single-threaded process's run time in seconds, to the nanosecond (the first field of
    // /proc/PID/schedstat, the main thread's): a PostgreSQL backend is one thread, and at 800 requests
    // a measurement the 10 ms ticks of /proc/PID/stat, rounded per process over some 20 processes,
    // moved PostgreSQL's figure by up to 0.05 ms a request. Null when it has ended.
    public static double? RunSeconds(int pid)
    {
        try
        {
            var schedstat = File.ReadAllText($"/proc/{pid}/schedstat");
            return long.Parse(schedstat[..schedstat.IndexOf(' ')], CultureInfo.InvariantCulture) / 1e9;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    // The PostgreSQL processes of this machine, each with its command line (NULs as spaces): a
    // backend's reads "postgres: USER DATABASE HOST(PORT) STATE".
    public static IEnumerable<(int Pid, string CommandLine)> Postgres()
    {
        if (!Directory.Exists("/proc"))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string? command = null;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd() == "postgres")
                {
                    command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended between the listing and the read.
            }
            if (command is not null)
            {
                yield return (pid, command);
            }
        }
    }
}
