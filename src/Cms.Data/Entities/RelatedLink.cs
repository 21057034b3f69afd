using Cms.Core.Items;

namespace Cms.Data.Entities;

public sealed class RelatedLink
{
    public long Id { get; set; }
    public long ItemId { get; set; }

    // Index in the source `related` list: the order the item page shows. It decides nothing.
    public int Position { get; set; }

    // What the link is: its webUrl normalized (Cms.Core.Items.LinkIdentity). Decisions belong to it
    // and the output keeps the source entries whose identity is approved. Null when the URL is not
    // absolute http(s) or an earlier entry has the same URL: never approvable, never published.
    public string? Identity { get; set; }
    public string? Title { get; set; }
    public string? Excerpt { get; set; }
    public string? Url { get; set; }
    public bool IsSafeUrl { get; set; }
    public string? ProviderName { get; set; }
    public string? ProviderDomain { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    // The outlet's own quality score and first picture, shown on the link's card.
    public int? Quality { get; set; }
    public string? ImageUrl { get; set; }
    public LinkDecision Decision { get; set; }
    public string? Reason { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }

    // The item whose merge into this link's item added the link: Reopen of that item removes the
    // link again while it is still Pending.
    public long? MergedFromItemId { get; set; }

    // The URL this link replaced when an editor took a moved link's new address: like a merged
    // link it is the CMS's, not the source's (written in the replaced entry's place when approved).
    public string? ReplacesUrl { get; set; }
    public Item? Item { get; set; }
}
