using System.ComponentModel.DataAnnotations;
using Cms.Core.Items;

namespace Cms.Data.Entities;

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

    // A new item of the import carries its front matter as the UTF-8 bytes read from the file
    // instead (SourceYaml is then null), which its COPY sends as they are (ItemCopy). Not mapped.
    public ReadOnlyMemory<byte>? SourceYamlUtf8 { get; set; }
    public required string SourceHash { get; set; }
    public string? ImagesJson { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    // Set when a person changes the item; from then on the importer no longer overwrites it.
    public DateTimeOffset? EditedAt { get; set; }
    public string? EditedBy { get; set; }
    public bool SourceChanged { get; set; }

    // Who marked the item Ready (user id, or the name for actors without an account): the four-eyes
    // rule keeps them from publishing it. Cleared when the item leaves Ready.
    public string? ReadyBy { get; set; }
    public string? ReadyByName { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }

    // Scheduled publishing: a Ready item the worker publishes when due, on behalf of PublishScheduledBy.
    public DateTimeOffset? PublishAt { get; set; }
    public string? PublishScheduledBy { get; set; }
    public string? PublishScheduledByName { get; set; }

    // A scheduled publication that failed (the database refused the move) is retried after a
    // backoff, per item, so it never holds up the others; cleared when the item is scheduled again.
    public int PublishAttempts { get; set; }
    public DateTimeOffset? PublishRetryAt { get; set; }

    // The file name in the publish folder, fixed at the first publication (the source file name, or
    // prefixed with the id when another item already holds that name).
    public string? OutputFile { get; set; }

    // Generated from title and excerpt (Russian stemming for Cyrillic text, English otherwise, plus a
    // language-neutral 'simple' vector, so other scripts match word for word); see ItemConfiguration.
    public NpgsqlTypes.NpgsqlTsVector? SearchVector { get; set; }

    // Generated from the provider's name and domain labels, for the provider filter.
    public NpgsqlTypes.NpgsqlTsVector? ProviderSearch { get; set; }

    // The story the item belongs to (story grouping at import; merge, split and move later). Every
    // item has one, alone in it or not; new ids come from the story_ids sequence.
    public long StoryId { get; set; }

    // Story grouping's fingerprint of title and excerpt, and the keys it is found by (see
    // Cms.Core.Stories.StoryKeys); null for items stored without grouping.
    public long? StorySimHash { get; set; }
    public int[]? StoryKeys { get; set; }

    // The analysed terms of title and excerpt as imported (Cms.Core.Stories.StoryTerms.Pack), so
    // that a later item scores this one as a candidate without reading and analysing its text.
    public int[]? StoryTermIds { get; set; }

    // Set while the item is merged into another item of its story (it is Rejected then); Reopen
    // clears it. The lead's related link that the merge added points back here (RelatedLink.MergedFromItemId).
    public long? MergedIntoId { get; set; }

    [Timestamp]
    public uint Version { get; set; }

    public List<RelatedLink> RelatedLinks { get; set; } = [];
    public List<ItemTopic> Topics { get; set; } = [];
    public List<SourceRevision> Revisions { get; set; } = [];
}
