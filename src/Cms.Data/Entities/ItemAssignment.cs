namespace Cms.Data.Entities;

// Who is to take an item: at most one person. Kept beside the item rather than on it, so assigning
// does not change the item's version (an editor's open form stays valid).
public sealed class ItemAssignment
{
    public long ItemId { get; set; }
    public required string UserId { get; set; }
    public required string AssignedBy { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
}
