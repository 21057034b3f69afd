using Cms.Core.Links;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Links;

// What the link checker knows of an item's related links, for their cards: one read per item and
// request (scoped), however many cards ask. Links are matched by the normalized URL (LinkRules.Key),
// the checker's identity of a link.
public sealed class LinkHealthView(CmsDbContext db)
{
    public sealed record Health(LinkHealth Status, int? HttpStatus, string? FinalUrl, string? Detail, DateTimeOffset? CheckedAt);

    private readonly Dictionary<long, IReadOnlyDictionary<string, Health>> _byItem = [];

    // Null when the URL has not been checked (or cannot be: not absolute http(s)).
    public async Task<Health?> ForAsync(long itemId, string? url, CancellationToken ct)
    {
        if (LinkRules.Key(url) is not { } key)
        {
            return null;
        }
        if (!_byItem.TryGetValue(itemId, out var known))
        {
            var keys = (await db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == itemId).Select(l => l.Url).ToListAsync(ct))
                .Select(LinkRules.Key).OfType<string>().Distinct().ToList();
            known = (await db.LinkChecks.AsNoTracking().Where(c => keys.Contains(c.Url))
                    .Select(c => new { c.Url, c.Status, c.HttpStatus, c.FinalUrl, c.Detail, c.CheckedAt }).ToListAsync(ct))
                .Where(c => Enum.TryParse<LinkHealth>(c.Status, out var s) && s != LinkHealth.Unchecked)
                .ToDictionary(c => c.Url, c => new Health(Enum.Parse<LinkHealth>(c.Status), c.HttpStatus, c.FinalUrl, c.Detail, c.CheckedAt));
            _byItem[itemId] = known;
        }
        return known.GetValueOrDefault(key);
    }
}
