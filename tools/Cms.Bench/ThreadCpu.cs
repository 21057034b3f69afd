namespace Cms.Bench;

// The calling thread's CPU seconds (the first field of Linux's /proc/thread-self/schedstat, in
// nanoseconds): a single-threaded microbenchmark timed by the CPU it used, not by the wall clock
// that other work on a shared machine stretches. Call it from the same thread, with no await between.
internal static class ThreadCpu
{
    public static double Now() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1e9;
}
