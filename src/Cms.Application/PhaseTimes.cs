using System.Diagnostics;
using System.Globalization;

namespace Cms.Application;

// Wall time per phase of a repeated piece of work (a batch), summed: the profiles the benchmarks
// print (StoryGroupingProfile, ImportProfile). Counting costs two timestamps per phase per batch.
public abstract class PhaseTimes<TPhase> where TPhase : struct, Enum
{
    private readonly long[] _ticks = new long[Enum.GetValues<TPhase>().Length];

    // Time since `start` is charged to the phase; returns now, the next phase's start.
    public long Lap(TPhase phase, long start)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[Convert.ToInt32(phase, CultureInfo.InvariantCulture)], now - start);
        return now;
    }

    public TimeSpan Of(TPhase phase) => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[Convert.ToInt32(phase, CultureInfo.InvariantCulture)]));

    public TimeSpan Total => Stopwatch.GetElapsedTime(0, _ticks.Sum());

    // One line per phase: its seconds and its share of the total (0 when nothing was timed, not NaN).
    protected IEnumerable<string> PhaseLines()
    {
        var total = Total;
        return Enum.GetValues<TPhase>().Select(phase => string.Create(CultureInfo.InvariantCulture,
            $"  {phase}: {Of(phase).TotalSeconds:F1} s ({(total > TimeSpan.Zero ? Of(phase) / total : 0):P0})"));
    }
}
