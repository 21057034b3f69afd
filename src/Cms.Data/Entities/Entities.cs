using System.ComponentModel.DataAnnotations;
using Cms.Core.Items;
using Microsoft.AspNetCore.Identity;

namespace Cms.Data.Entities;

public sealed class CmsUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Item
{
    public long Id { get; set; }

    // Normalized originalUrl: one item per story.
    public required string OriginalUrl { get; set; }
    public required string FileName { get; set; }
    public required string Title { get; set; }
    public string? Excerpt { get; set; }
    public string? Category { get; set; }
    public string? Type { get; set; }
    public string? ProviderName { get; set; }
    public string? ProviderDomain { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public string? WebUrl { get; set; }
    public int? Quality { get; set; }
    public int? Heat { get; set; }
    public WorkflowState State { get; set; }

    // The front matter as received (BOM and CRLF normalized), so unknown fields survive export.
    public required string SourceYaml { get; set; }
    public required string SourceHash { get; set; }
    public string? ImagesJson { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    // Set when a person changes the item; from then on the importer no longer overwrites it.
    public DateTimeOffset? EditedAt { get; set; }
    public string? EditedBy { get; set; }
    public bool SourceChanged { get; set; }

    // Generated from title and excerpt (English stemming plus a language-neutral 'simple' vector, so
    // Cyrillic and other scripts match word for word); see ItemConfiguration.
    public NpgsqlTypes.NpgsqlTsVector? SearchVector { get; set; }

    [Timestamp]
    public uint Version { get; set; }

    public List<RelatedLink> RelatedLinks { get; set; } = [];
    public List<ItemTopic> Topics { get; set; } = [];
    public List<SourceRevision> Revisions { get; set; } = [];
}

public sealed class RelatedLink
{
    public long Id { get; set; }
    public long ItemId { get; set; }

    // Index in the source `related` list: export keeps the approved entries by position.
    public int Position { get; set; }
    public string? Title { get; set; }
    public string? Excerpt { get; set; }
    public string? Url { get; set; }
    public bool IsSafeUrl { get; set; }
    public string? ProviderName { get; set; }
    public string? ProviderDomain { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public LinkDecision Decision { get; set; }
    public string? Reason { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public Item? Item { get; set; }
}

public sealed class Topic
{
    public int Id { get; set; }
    public required string Name { get; set; }

    // Lower-cased name: topics are unique regardless of case.
    public required string NormalizedName { get; set; }
    public bool FromImport { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static Topic Create(string name, bool fromImport = false) => new()
    {
        Name = name.Trim(),
        NormalizedName = TopicNames.Normalize(name),
        FromImport = fromImport,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}

// The managed list of categories editors choose from; the pipeline's categories join it on import.
public sealed class Category
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public bool FromImport { get; set; }
}

public sealed class ItemTopic
{
    public long ItemId { get; set; }
    public int TopicId { get; set; }
    public int Position { get; set; }
    public Topic? Topic { get; set; }
}

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

// "Who else has this item open": a short lease renewed while the page is open; a warning, not a lock.
public sealed class ItemLease
{
    public long ItemId { get; set; }
    public required string UserName { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

// Items per workflow state, kept by statement-level triggers on items, so the queue's counts for
// the unfiltered view cost one tiny read instead of a scan of every item.
public sealed class ItemStateCount
{
    public required string State { get; set; }
    public long Count { get; set; }
}

public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? Data { get; set; }
}
