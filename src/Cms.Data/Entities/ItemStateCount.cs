namespace Cms.Data.Entities;

// Items per workflow state, so the queue's counts for the unfiltered view cost one tiny read instead
// of a scan of every item: the folded part of the totals (ItemStateCountDelta holds the rest).
public sealed class ItemStateCount
{
    public required string State { get; set; }
    public long Count { get; set; }
}
