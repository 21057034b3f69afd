using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Links;

// An editor takes the address a moved related link now lives at (the link checker's final URL,
// read here, never taken from the form). A link is its URL (LinkIdentity), so the replacement is a
// new link: Pending, to be decided again, and what was reviewed changed (a Ready item goes back to
// New; a Published one is corrected only after the decision, by someone else than the replacer).
public sealed class ReplaceLinkUrl(CmsDbContext db, ItemLimits limits, TimeProvider clock)
{
    public sealed record Request(long ItemId, long LinkId, uint Version);

    public const string NotMoved = "The link checker has not found this link moved: there is no new address to take.";

    public async Task<Outcome> HandleAsync(Actor actor, Request request, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Replacing a link's URL",
                new Attempt(AuditActions.LinkUrlReplaced, AuditTargets.Item, request.ItemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.Include(i => i.RelatedLinks).SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        if (item?.RelatedLinks.SingleOrDefault(l => l.Id == request.LinkId) is not { } link)
        {
            return Outcome.NotFound("There is no such related link.");
        }
        db.Entry(item).Property(i => i.Version).OriginalValue = request.Version;
        if (item.State is not (WorkflowState.New or WorkflowState.Ready or WorkflowState.Published))
        {
            return Outcome.Invalid("", $"Links of {item.State} items are not checked or replaced.");
        }
        var key = LinkRules.Key(link.Url);
        var check = key is null ? null : await db.LinkChecks.AsNoTracking().SingleOrDefaultAsync(c => c.Url == key, ct);
        if (check is not { Status: nameof(LinkHealth.Moved), FinalUrl: { } final } || LinkIdentity.Of(final) is not { } identity)
        {
            return Outcome.Invalid("", NotMoved);
        }
        // The address comes from a remote Location header: it meets the rules an imported link meets.
        if (LinkIdentity.Unfit(final, identity, limits.MaxUrlLength) is { } unfit)
        {
            return Outcome.Invalid("", $"The new address {unfit}; it cannot be a related link.");
        }
        if (item.RelatedLinks.Any(l => l.Identity == identity))
        {
            return Outcome.Invalid("", $"{final} is already a related link of this item.");
        }

        var replacement = new RelatedLink
        {
            ItemId = item.Id,
            Position = link.Position,
            Identity = identity,
            Url = final,
            IsSafeUrl = true,
            Title = link.Title,
            Excerpt = link.Excerpt,
            ProviderName = link.ProviderName,
            ProviderDomain = link.ProviderDomain,
            PublishedAt = link.PublishedAt,
            Quality = link.Quality,
            ImageUrl = link.ImageUrl,
            Decision = LinkDecision.Pending,
            MergedFromItemId = link.MergedFromItemId,
            // The source's URL it stands for, however many moves ago.
            ReplacesUrl = link.ReplacesUrl ?? link.Url,
        };
        item.RelatedLinks.Remove(link);
        item.RelatedLinks.Add(replacement);
        var changes = new List<object>
        {
            ItemChanges.LinkChange(link, before: link.Decision.ToString(), after: null, Replaced, null),
            ItemChanges.LinkChange(replacement, before: null, after: nameof(LinkDecision.Pending), Replacing, null),
        };
        changes.AddRange(ItemChanges.ReturnToNewIfReady(item));
        ItemChanges.Stamp(item, actor, clock.GetUtcNow());
        AuditLog.Add(db, actor, AuditActions.LinkUrlReplaced, AuditTargets.Item, item.Id.ToString(),
            new { before = link.Url, after = final, decisionBefore = link.Decision.ToString(), decision = nameof(LinkDecision.Pending), changes });
        return await Stories.StoryRules.SaveAsync(db, tx, $"The link now points to {final}; decide it again.", ct);
    }

    public const string Replaced = "replaced by the address it moved to";
    public const string Replacing = "the address a moved link moved to";
}
