using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Links;

// Items by their links' health, through link_uses (the checker's record of which check each
// related link is): the queue's "broken links" filter and the publisher's list of published
// items whose approved link broke.
public sealed class BrokenLinks(CmsDbContext db)
{
    public const int MaxListed = 500;

    public sealed record Row(long ItemId, string Title, long LinkId, string Url, int? HttpStatus, string? Detail, DateTimeOffset? CheckedAt);

    // Items with a link found broken that is still to be published (pending or approved).
    public static IQueryable<Item> WithBrokenLinks(CmsDbContext db, IQueryable<Item> items) =>
        items.Where(i => i.RelatedLinks.Any(l => l.Decision != LinkDecision.Rejected
            && db.LinkUses.Any(u => u.RelatedLinkId == l.Id && db.LinkChecks.Any(c => c.Url == u.Url && c.Status == Broken))));

    private const string Broken = nameof(LinkHealth.Broken);

    // Published items and their approved links that broke, the latest found first.
    public Task<List<Row>> PublishedAsync(CancellationToken ct) =>
        (from l in db.RelatedLinks.AsNoTracking()
         where l.Decision == LinkDecision.Approved && l.Item!.State == WorkflowState.Published
         join u in db.LinkUses on l.Id equals u.RelatedLinkId
         join c in db.LinkChecks on u.Url equals c.Url
         where c.Status == Broken
         orderby c.CheckedAt descending, l.ItemId, l.Position
         select new Row(l.ItemId, l.Item!.Title, l.Id, l.Url!, c.HttpStatus, c.Detail, c.CheckedAt))
        .Take(MaxListed).ToListAsync(ct);
}
