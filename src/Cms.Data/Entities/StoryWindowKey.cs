namespace Cms.Data.Entities;

// One search key of one item (Cms.Core.Stories.StoryKeys) with the time the item is compared by:
// the candidate search of story grouping reads the B-tree on (key, at), so it finds only items
// inside the window, whatever the store's size. Derived from items.story_keys, written by the
// import with the items (StoryGrouping.WriteKeysAsync) and rewritten whenever a stored item's
// time, title or excerpt changes (StoryKeyUpkeep); items are never deleted, nor are these.
public sealed class StoryWindowKey
{
    public int Key { get; set; }
    public DateTimeOffset At { get; set; }
    public long ItemId { get; set; }
}
