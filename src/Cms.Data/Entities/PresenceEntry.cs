namespace Cms.Data.Entities;

// One open live connection on an item page: who is looking at it, from which app instance. The
// instance refreshes SeenAt while the connection is open and deletes the row when it closes; rows
// of an instance that died stop being refreshed and are swept by any other instance.
public sealed class PresenceEntry
{
    public Guid ConnectionId { get; set; }
    public long ItemId { get; set; }
    public required string UserId { get; set; }
    public required string Instance { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}
