using System.Globalization;

namespace Cms.Application.Stories;

// Where grouping's time goes, summed over batches (`./cms bench stories` prints it): wall time per
// phase of StoryGrouping.AssignAsync, so SQL round trips, the index lookup and C# work can be told
// apart. Counting costs two timestamps per phase per batch.
public sealed class StoryGroupingProfile : PhaseTimes<StoryGroupingProfile.Phase>
{
    public enum Phase { Analyse, TermCounts, Keys, CandidateSearch, CandidateRead, CandidatesAnalysed, Scoring, StoryIds, KeyRows }

    private long _batches;
    private long _items;
    private long _keyedRows;
    private long _candidates;
    private long _searchKeys;
    private long _lookups;

    public long Batches => Interlocked.Read(ref _batches);

    public void Batch(int items) { Interlocked.Increment(ref _batches); Interlocked.Add(ref _items, items); }

    public void Found(int keyedRows, int candidates) { Interlocked.Add(ref _keyedRows, keyedRows); Interlocked.Add(ref _candidates, candidates); }

    // Search keys of the batch's items, and the range scans that looked them up (each distinct key once).
    public void Looked(int searchKeys, int lookups) { Interlocked.Add(ref _searchKeys, searchKeys); Interlocked.Add(ref _lookups, lookups); }

    public IEnumerable<string> Lines()
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"{_batches} batches, {_items} items: {_keyedRows} stored items found by key in the window ({(double)_keyedRows / Math.Max(1, _items):F1} per item), {_candidates} candidates scored ({(double)_candidates / Math.Max(1, _items):F1} per item); {_searchKeys} search keys looked up by {_lookups} range scans; grouping {Total.TotalSeconds:F1} s in all");
        foreach (var line in PhaseLines())
        {
            yield return line;
        }
    }
}
