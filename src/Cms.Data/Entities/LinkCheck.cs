namespace Cms.Data.Entities;

// The health of one related-link URL (identified by the normalized URL, Cms.Core.Links.LinkRules.Key),
// shared by every item linking to it, and the link checker's progress through its redirects: one
// request is made per step, each step waiting for its host's turn (LinkHost).
public sealed class LinkCheck
{
    public required string Url { get; set; }

    // Cms.Core.Links.LinkHealth, as text.
    public required string Status { get; set; }
    public int? HttpStatus { get; set; }

    // Where a permanent redirect chain ends (status Moved): the URL an editor may switch to.
    public string? FinalUrl { get; set; }

    // The redirects of the last check, each hop "STATUS URL", as JSON.
    public string? Hops { get; set; }
    public string? Detail { get; set; }
    public int Failures { get; set; }
    public DateTimeOffset? FirstFailureAt { get; set; }
    public DateTimeOffset? CheckedAt { get; set; }
    public DateTimeOffset NextAt { get; set; }

    // The check in progress: the next request (method, URL, its host) and the hops so far.
    public required string PendingUrl { get; set; }
    public required string PendingHost { get; set; }
    public required string PendingMethod { get; set; }
    public string? PendingHops { get; set; }
    public bool PendingPermanent { get; set; }

    // "Come back later" answers (429/503 with Retry-After) this check has had in a row; bounded by
    // LinkCheckSettings.MaxDeferrals, so a site that always asks to wait still gets a verdict.
    public int Deferrals { get; set; }
}

// Politeness per host, across instances: the next time a request may start, and who is asking now.
public sealed class LinkHost
{
    public required string Host { get; set; }
    public DateTimeOffset NextAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

// How far the checker has looked through related_links for URLs it does not know yet.
public sealed class LinkDiscovery
{
    public int Id { get; set; }
    public long LastRelatedLinkId { get; set; }

    // Related-link ids up to here are settled: no transaction that may still commit holds one
    // (LinkChecker.DiscoverAsync). The cursor never passes it.
    public long SettledRelatedLinkId { get; set; }

    // The last look not yet settled: the id sequence's value then, and the transactions then writing
    // related links (their virtual transaction ids); once all of them have ended, ids up to it are settled.
    public long? PendingRelatedLinkId { get; set; }
    public string[]? PendingWriters { get; set; }
}

// Which link check a related link is: its URL's key (LinkRules.Key), written by the checker as it
// discovers the link, so the queue and the publisher's list find items by their links' health in
// SQL. Goes with the link (deleted with it).
public sealed class LinkUse
{
    public long RelatedLinkId { get; set; }
    public required string Url { get; set; }
}
