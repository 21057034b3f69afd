namespace Cms.Data.Entities;

// One entry of a person's inbox, written in the transaction of its cause. It is also the e-mail
// digest's outbox: EmailedAt stays null until a digest carried it.
public sealed class Notification
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Kind { get; set; }
    public long ItemId { get; set; }
    public long? CommentId { get; set; }

    // Who caused it: an account id (shown by its current name), or the name of a system actor.
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset? EmailedAt { get; set; }
}
