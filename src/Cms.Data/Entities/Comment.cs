namespace Cms.Data.Entities;

// A comment on an item: plain text, optionally anchored to a field or to a related link (by the
// link's normalized URL), with one level of replies. Edits and deletions keep the original text in
// the audit trail; a deleted comment keeps its row (without text) so its thread stays whole.
public sealed class Comment
{
    public long Id { get; set; }
    public long ItemId { get; set; }

    // The thread's first comment; null for a thread's start. Replies to a reply are refused.
    public long? ParentId { get; set; }
    public required string AuthorId { get; set; }
    public required string Body { get; set; }
    public string? AnchorField { get; set; }
    public string? AnchorUrl { get; set; }

    // Mark ready and Publish are refused while a blocking thread is unresolved.
    public bool Blocking { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }

    [System.ComponentModel.DataAnnotations.Timestamp]
    public uint Version { get; set; }

    public List<CommentMention> Mentions { get; set; } = [];
}

// A mention stored as the account's id and where "@name" stood in the body, so the page shows the
// account's current name there.
public sealed class CommentMention
{
    public long CommentId { get; set; }
    public int Start { get; set; }
    public int Length { get; set; }
    public required string UserId { get; set; }
}
