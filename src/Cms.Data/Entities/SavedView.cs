using System.ComponentModel.DataAnnotations;

namespace Cms.Data.Entities;

// A named queue view: its query string (the View.* parameters, as the queue's URL carries them),
// who made it, and whom it is shared with (null: the owner only; a role name; "*": everyone).
public sealed class SavedView
{
    public const string Everyone = "*";

    public long Id { get; set; }
    public required string Name { get; set; }
    public required string OwnerId { get; set; }
    public required string OwnerName { get; set; }
    public required string Query { get; set; }
    public string? SharedWith { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [Timestamp]
    public uint Version { get; set; }
}
