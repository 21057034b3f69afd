namespace Cms.Data.Entities;

// "Who else has this item open": a short lease renewed while the page is open; a warning, not a lock.
public sealed class ItemLease
{
    public long ItemId { get; set; }
    public required string UserName { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
