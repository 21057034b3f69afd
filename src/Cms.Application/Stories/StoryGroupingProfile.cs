using System.Diagnostics;
using System.Globalization;

namespace Cms.Application.Stories;

// Where grouping's time goes, summed over batches (`./cms bench stories` prints it): wall time per
// phase of StoryGrouping.AssignAsync, so SQL round trips, the index lookup and C# work can be told
// apart. Counting costs two timestamps per phase per batch.
public sealed class StoryGroupingProfile
{
    public enum Phase { Analyse, TermCounts, Keys, CandidateSearch, CandidatesAnalysed, Scoring, StoryIds, KeyRows }

    private readonly long[] _ticks = new long[Enum.GetValues<Phase>().Length];
    private long _batches;
    private long _items;
    private long _keyedRows;
    private long _candidates;

    public long Batches => Interlocked.Read(ref _batches);

    public void Batch(int items) { Interlocked.Increment(ref _batches); Interlocked.Add(ref _items, items); }

    public void Found(int keyedRows, int candidates) { Interlocked.Add(ref _keyedRows, keyedRows); Interlocked.Add(ref _candidates, candidates); }

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
        yield return string.Create(CultureInfo.InvariantCulture,
            $"{_batches} batches, {_items} items: {_keyedRows} stored items found by key in the window ({(double)_keyedRows / Math.Max(1, _items):F1} per item), {_candidates} candidates scored ({(double)_candidates / Math.Max(1, _items):F1} per item); grouping {Total.TotalSeconds:F1} s in all");
        foreach (var phase in Enum.GetValues<Phase>())
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  {phase}: {Of(phase).TotalSeconds:F1} s ({Of(phase) / Total:P0})");
        }
    }
}
