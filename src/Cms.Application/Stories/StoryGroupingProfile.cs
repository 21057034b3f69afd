using System.Globalization;

namespace Cms.Application.Stories;

// Where grouping's time goes, summed over batches (`./cms bench stories` prints it): wall time per
// phase of StoryGrouping.AssignAsync, so SQL round trips, the index lookup and C# work can be told
// apart. Counting costs two timestamps per phase per batch.
public sealed class StoryGroupingProfile : PhaseTimes<StoryGroupingProfile.Phase>
{
    // Ahead* (AheadScoring: the choices made by the search itself), and the Keys and Candidate* of a batch searched ahead, run beside the writer (its
    // connection of its own); WaitForSearch is the writer's wait for that search.
    public enum Phase { Analyse, TermCounts, AheadTermCounts, Keys, CandidateSearch, CandidateRead, WaitForSearch, CandidatesAnalysed, Scoring, StoryIds, KeyRows, AheadScoring }

    private long _batches;
    private long _items;
    private long _keyedRows;
    private long _candidates;
    private long _searchKeys;
    private long _lookups;
    private long _ahead;
    private long _duringPrevious;
    private long _keyRows;
    private long _held;
    private long _heldRows;
    private long _choseAhead;

    public long Batches => Interlocked.Read(ref _batches);

    public void Batch(int items) { Interlocked.Increment(ref _batches); Interlocked.Add(ref _items, items); }

    public void Found(int keyedRows, int candidates) { Interlocked.Add(ref _keyedRows, keyedRows); Interlocked.Add(ref _candidates, candidates); }

    // Search keys of the batch's items, and the range scans that looked them up (each distinct key once).
    public void Looked(int searchKeys, int lookups) { Interlocked.Add(ref _searchKeys, searchKeys); Interlocked.Add(ref _lookups, lookups); }

    // Rows of story_window_keys the lookups returned (a stored item once per key it shares).
    public void Returned(long keyRows) => Interlocked.Add(ref _keyRows, keyRows);

    public long KeyRowsReturned => Interlocked.Read(ref _keyRows);

    // A search that took the import's own rows from its StoryMemory (rows: those it held then).
    public void Held(long rows) { Interlocked.Increment(ref _held); Interlocked.Add(ref _heldRows, rows); }

    public long SearchedWithMemory => Interlocked.Read(ref _held);

    // A batch whose search, begun beside the writer, was taken; duringPrevious: begun during the
    // previous batch's write (else when its own write began).
    public void Ahead(bool duringPrevious)
    {
        Interlocked.Increment(ref _ahead);
        if (duringPrevious)
        {
            Interlocked.Increment(ref _duringPrevious);
        }
    }

    public long SearchedAhead => Interlocked.Read(ref _ahead);

    // A batch whose choices the search beside the writer made, taken by the writer.
    public void ChoseAhead() => Interlocked.Increment(ref _choseAhead);

    public long ChosenAhead => Interlocked.Read(ref _choseAhead);

    public long SearchedDuringPrevious => Interlocked.Read(ref _duringPrevious);

    public IEnumerable<string> Lines()
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"{_batches} batches, {_items} items: {_keyedRows} stored items found by key in the window ({(double)_keyedRows / Math.Max(1, _items):F1} per item), {_candidates} candidates scored ({(double)_candidates / Math.Max(1, _items):F1} per item); {_searchKeys} search keys looked up by {_lookups} range scans, returning {_keyRows} key rows; {_held} searches took this import's own rows from memory (holding {(double)_heldRows / Math.Max(1, _held):F0} key rows on average); {_ahead} batches searched ahead ({_duringPrevious} during the previous batch's write), {_choseAhead} of them chosen there too; grouping {Total.TotalSeconds:F1} s in all");
        foreach (var line in PhaseLines())
        {
            yield return line;
        }
    }
}
