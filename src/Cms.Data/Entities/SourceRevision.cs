using Cms.Core.Items;

namespace Cms.Data.Entities;

public sealed class SourceRevision
{
    public long Id { get; set; }
    public long ItemId { get; set; }
    public required string FileName { get; set; }
    public required string SourceYaml { get; set; }
    public required string SourceHash { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public RevisionStatus Status { get; set; }

    // The changed top-level fields when the revision arrived, computed once then (at most 100
    // names, and how many in all): the item page names them without parsing either source. Null on older rows.
    public string[]? ChangedFields { get; set; }
    public int ChangedFieldCount { get; set; }
}
