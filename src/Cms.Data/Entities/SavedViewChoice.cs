namespace Cms.Data.Entities;

// One person's place for a saved view they can see: its position in their list (the order they
// chose) and whether it is their default view. At most one default per person (a partial unique index).
public sealed class SavedViewChoice
{
    public required string UserId { get; set; }
    public long ViewId { get; set; }
    public int Position { get; set; }
    public bool IsDefault { get; set; }
}
