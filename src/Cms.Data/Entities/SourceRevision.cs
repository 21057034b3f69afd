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

    // The comparison with the item's source when the revision arrived, computed once then:
    // the changed top-level fields (at most 100 names, and how many in all) and a line diff of
    // the canonical YAML, left out (DiffOmitted) beyond a size cap. Null on older rows.
    public string[]? ChangedFields { get; set; }
    public int ChangedFieldCount { get; set; }
    public string? Diff { get; set; }
    public bool DiffOmitted { get; set; }
}
