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
}
