namespace Cms.Application.Stories;

// What one import has written so far for grouping, kept by its writer (ImportWriter) from batch to
// batch: each item's key rows (key, time, id) and its terms, provider, time and story as written.
// Nearly every key row a batch's search finds was written by the same import, and read back from
// story_window_keys each costs a heap fetch (its page is not yet all-visible); held here, the
// search asks the table only for rows of items stored before the import (item_id < First, an index
// condition) and the candidate read only for those items. What memory cannot know is an item's
// current story (an editor may move it during the import): StoryGrouping reads that for each
// item's chosen candidate. Valid only while its ids are exactly [First, Last], every one of them
// this import's: a batch whose ids do not follow on (another writer took ids in between) starts it
// again, as does an update of an item it holds, and a re-key by any writer (Rekeys). Bounded: past MaxItems the oldest batches are
// dropped (never the newest) and their rows are found in the table again.
public sealed class StoryMemory(int maxItems)
{
    private readonly Dictionary<int, List<(DateTimeOffset At, long Id)>> _rows = [];
    private readonly Dictionary<long, StoryGrouping.Member> _members = [];
    private readonly Queue<(long First, int[] Keys)> _batches = new();
    private bool _clearPending;

    public int MaxItems => maxItems;

    public int Count => _members.Count;

    public int KeyRows { get; private set; }

    // The ids held, when any: every id in [First, Last] is one of this import's items.
    public long First { get; private set; } = long.MaxValue;

    public long Last { get; private set; } = long.MinValue;

    public bool IsEmpty => _members.Count == 0;

    // The re-key count (StoryKeyUpkeep.Count) read by the search of the batch that began it: its
    // items could not be re-keyed by another writer before (they were not committed), and a
    // search that reads another count finds it no longer the table's (another writer re-keyed
    // something since) and starts it again.
    public long Rekeys { get; private set; }

    // Changes whenever what is held changes: a search ahead that read another version is not taken.
    internal int Version { get; private set; }

    internal bool Holds(long id) => id >= First && id <= Last;

    internal bool TryGet(long id, out StoryGrouping.Member member) => _members.TryGetValue(id, out member!);

    // The key's rows in (at, id) order, or null.
    internal List<(DateTimeOffset At, long Id)>? RowsOf(int key) => _rows.GetValueOrDefault(key);

    // Forgets everything at the next change (a search may be reading it now): called by the writer
    // when a batch updates an item this memory holds.
    public void Invalidate()
    {
        _clearPending = true;
        Version++;
    }

    public void Clear()
    {
        _rows.Clear();
        _members.Clear();
        _batches.Clear();
        (First, Last, KeyRows, _clearPending) = (long.MaxValue, long.MinValue, 0, false);
        Version++;
    }

    // Applies a pending Invalidate; called only when no search reads the memory.
    internal void Settle()
    {
        if (_clearPending)
        {
            Clear();
        }
    }

    internal void Restory(long id, long storyId)
    {
        if (_members.TryGetValue(id, out var m) && m.StoryId != storyId)
        {
            _members[id] = m with { StoryId = storyId };
        }
    }

    // A batch as assigned, its members' ids ascending and keys[i] the keys written for members[i].
    // rekeys: the re-key count the batch's search read (kept when the memory begins with it).
    internal void Add(StoryGrouping.Member[] members, int[][] keys, long rekeys)
    {
        Settle();
        Version++;
        if (maxItems <= 0 || members.Length == 0)
        {
            return;
        }
        var (first, last) = (members[0].Id, members[^1].Id);
        var contiguous = last - first + 1 == members.Length;
        if (!contiguous || (!IsEmpty && (first != Last + 1 || rekeys != Rekeys)))
        {
            Clear();
            if (!contiguous)
            {
                return;
            }
        }
        if (IsEmpty)
        {
            Rekeys = rekeys;
        }
        for (var i = 0; i < members.Length; i++)
        {
            var m = members[i];
            _members[m.Id] = m;
            foreach (var key in keys[i])
            {
                if (!_rows.TryGetValue(key, out var list))
                {
                    _rows[key] = list = [];
                }
                var row = (m.At, m.Id);
                var at = list.BinarySearch(row, RowOrder.Instance);
                list.Insert(at < 0 ? ~at : at, row);
                KeyRows++;
            }
        }
        _batches.Enqueue((first, keys.SelectMany(k => k).Distinct().ToArray()));
        First = Math.Min(First, first);
        Last = last;
        while (_members.Count > maxItems && _batches.Count > 1)
        {
            var (oldest, oldKeys) = _batches.Dequeue();
            First = _batches.Peek().First;
            for (var id = oldest; id < First; id++)
            {
                _members.Remove(id);
            }
            foreach (var key in oldKeys)
            {
                if (_rows.TryGetValue(key, out var list))
                {
                    KeyRows -= list.RemoveAll(r => r.Id < First);
                    if (list.Count == 0)
                    {
                        _rows.Remove(key);
                    }
                }
            }
        }
    }

    private sealed class RowOrder : IComparer<(DateTimeOffset At, long Id)>
    {
        public static readonly RowOrder Instance = new();

        public int Compare((DateTimeOffset At, long Id) x, (DateTimeOffset At, long Id) y) =>
            x.At.CompareTo(y.At) is var c && c != 0 ? c : x.Id.CompareTo(y.Id);
    }
}
