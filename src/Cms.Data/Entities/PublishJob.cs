using Cms.Core.Items;

namespace Cms.Data.Entities;

public enum PublishJobStatus
{
    Pending,
    Done,
    Failed,
}

// The outbox: one row per publish or withdrawal, committed with the state change and drained by the
// publishing worker. A job brings the item's output in line with the item's state at the time the
// worker runs it (write when Published, remove otherwise), so a retry or a late duplicate is harmless.
public sealed class PublishJob
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    public WorkflowAction Trigger { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public PublishJobStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    // What the worker did: "written" or "removed", the file and the SHA-256 of what it wrote.
    public string? Result { get; set; }
    public string? FileName { get; set; }
    public string? ContentHash { get; set; }
    public string? Worker { get; set; }
}
