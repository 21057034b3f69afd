using System.Diagnostics;
using System.Globalization;

namespace Cms.Application.Importing;

// Where the write stage's time goes, summed over batches (`./cms bench import` prints it): wall
// time per phase of ImportWriter's batch, and how long the writer waited for the parse stage.
// Counting costs two timestamps per phase per batch.
public sealed class ImportProfile
{
    public enum Phase { WaitForParse, LockAndDedupe, Rules, TopicsAndIds, StoryGrouping, CopyRows, CopyAudit, Categories, Commit }

    private readonly long[] _ticks = new long[Enum.GetValues<Phase>().Length];
    private long _batches;

    public void Batch() => Interlocked.Increment(ref _batches);

    // Time since `start` is charged to the phase; returns now, the next phase's start.
    public long Lap(Phase phase, long start)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _ticks[(int)phase], now - start);
        return now;
    }

    public TimeSpan Of(Phase phase) => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)phase]));

    public TimeSpan Total => Stopwatch.GetElapsedTime(0, _ticks.Sum());

    public IEnumerable<string> Lines()
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"write stage: {Interlocked.Read(ref _batches)} batches, {Total.TotalSeconds:F1} s in all");
        foreach (var phase in Enum.GetValues<Phase>())
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  {phase}: {Of(phase).TotalSeconds:F1} s ({Of(phase) / Total:P0})");
        }
    }
}
