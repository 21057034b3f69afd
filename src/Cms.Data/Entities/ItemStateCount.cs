namespace Cms.Data.Entities;

// Items per workflow state, kept by statement-level triggers on items, so the queue's counts for
// the unfiltered view cost one tiny read instead of a scan of every item.
public sealed class ItemStateCount
{
    public required string State { get; set; }
    public long Count { get; set; }
}
