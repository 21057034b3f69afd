using System.Text.Json;
using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Stories;

// An editor merges items of a story into its lead item: each merged item's URL, title, provider,
// date, excerpt and image become a Pending related link of the lead, and the merged item leaves
// the queue as Rejected "merged into #<lead>". A link is its URL (LinkIdentity): an item whose URL
// the lead already has adds no second link, and one without an absolute http(s) URL cannot be
// merged. Nothing is deleted; Reopen of a merged item (a Publisher's move, ItemTransitions) undoes
// it and removes the link while it is still undecided; a decided link stays (it may be published).
// Items merged into a merged item follow it to the new lead (FollowAsync).
public sealed class MergeItems(CmsDbContext db, TimeProvider clock)
{
    public const int MaxItems = 50;

    public sealed record Request(long LeadId, IReadOnlyList<long> ItemIds);

    public static string ReasonFor(long leadId) => $"merged into #{leadId}";

    public async Task<Outcome> HandleAsync(Actor actor, Request request, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Merging",
                new Attempt(AuditActions.ItemMerged, AuditTargets.Item, request.LeadId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        var ids = request.ItemIds.Distinct().Where(i => i != request.LeadId).ToList();
        if (ids.Count == 0)
        {
            return Outcome.Invalid("ItemIds", "Choose at least one item to merge into the lead.");
        }
        if (ids.Count > MaxItems)
        {
            return Outcome.Invalid("ItemIds", $"At most {MaxItems} items can be merged at once.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var lead = await db.Items.Include(i => i.RelatedLinks).SingleOrDefaultAsync(i => i.Id == request.LeadId, ct);
        if (lead is null)
        {
            return Outcome.NotFound("There is no such lead item.");
        }
        if (!Workflow.QueueStates.Contains(lead.State))
        {
            return Outcome.Invalid("LeadId", $"The lead must be in the queue (New or Ready); #{lead.Id} is {lead.State}.");
        }
        var merged = await db.Items.Where(i => ids.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
        if (merged.Count != ids.Count)
        {
            return Outcome.NotFound($"Item #{ids.Except(merged.Select(m => m.Id)).First()} does not exist.");
        }
        var errors = merged.Select(m => m.StoryId != lead.StoryId
                ? new FieldError("ItemIds", $"#{m.Id} is not in the lead's story; move it into the story first.")
                : !Workflow.Get(WorkflowAction.Reject).From.Contains(m.State)
                    ? new FieldError("ItemIds", $"#{m.Id} is {m.State}; only New or Ready items can be merged.")
                    : LinkUrl(m) is not { } link
                        ? new FieldError("ItemIds", $"#{m.Id} cannot be merged as a related link: its URL is not an absolute http(s) URL.")
                        : LinkIdentity.TooLong(link.Identity) is { } tooLong
                            ? new FieldError("ItemIds", $"#{m.Id} cannot be merged as a related link: its {link.Field} {tooLong}.")
                            : null)
            .OfType<FieldError>().ToList();
        if (errors.Count > 0)
        {
            return Outcome.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var reason = ReasonFor(lead.Id);
        var received = new List<object>();
        var position = lead.RelatedLinks.Count == 0 ? 0 : lead.RelatedLinks.Max(l => l.Position) + 1;
        // One URL is one link (LinkIdentity): the lead's own URLs and links, and links added here.
        var taken = lead.RelatedLinks.Select(l => l.Identity).Append(LinkIdentity.Of(lead.WebUrl)).Append(LinkIdentity.Of(lead.OriginalUrl))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        var already = new List<long>();
        // A merge is a Reject by another route: the people who worked on each item hear it as they
        // would of a Reject with the same reason (Notifier, in this transaction).
        var returned = new List<(long ItemId, WorkflowAction Action, string? ReadyBy, string? Reason)>();
        foreach (var item in merged)
        {
            returned.Add((item.Id, WorkflowAction.Reject, item.ReadyBy, reason));
            var changes = new List<object> { new { field = "state", before = item.State.ToString(), after = nameof(WorkflowState.Rejected), reason } };
            ItemChanges.EnterState(item, WorkflowState.Rejected);
            if (ItemChanges.DropSchedule(item) is { } dropped)
            {
                changes.Add(dropped);
            }
            item.MergedIntoId = lead.Id;
            ItemChanges.Stamp(item, actor, now, changesContent: false);

            var (url, identity, _) = LinkUrl(item)!.Value;
            var known = !taken.Add(identity);
            if (known)
            {
                already.Add(item.Id);
            }
            else
            {
                lead.RelatedLinks.Add(LinkFrom(item, url, identity, position++));
            }
            received.Add(new { from = item.Id, url, added = !known, title = item.Title, provider = item.ProviderName });
            AuditLog.Add(db, actor, AuditActions.ItemMerged, AuditTargets.Item, item.Id.ToString(),
                new { into = lead.Id, url, linkAdded = !known, changes });
        }
        var followed = await FollowAsync(actor, lead, merged, taken, position, received, now, ct);
        var leadChanges = ItemChanges.ReturnToNewIfReady(lead);
        ItemChanges.Stamp(lead, actor, now);
        AuditLog.Add(db, actor, AuditActions.ItemMergeReceived, AuditTargets.Item, lead.Id.ToString(),
            new { merged = received, changes = leadChanges });
        await Notifications.Notifier.ItemsReturnedAsync((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(), actor, returned, now, ct);
        var message = $"Merged {merged.Count} item{(merged.Count == 1 ? "" : "s")} into #{lead.Id}: each is Rejected ({reason}) and its link waits for a decision on the lead.";
        if (already.Count > 0)
        {
            message += $" {string.Join(", ", already.Select(i => $"#{i}"))}: the URL is already a link of #{lead.Id}, so no second link was added.";
        }
        if (followed.Count > 0)
        {
            message += " Now merged into #" + lead.Id + " too: " + string.Join("; ", followed.Select(f => $"#{f.Id} (merged into #{f.Via} before): " + (f.Link switch
            {
                Followed.Moved => $"its link moved to #{lead.Id}",
                Followed.Added => $"its link was added to #{lead.Id}",
                _ => $"the URL is already a link of #{lead.Id}",
            }))) + ".";
        }
        return await StoryRules.SaveAsync(db, tx, message, ct);
    }

    private enum Followed
    {
        Moved,
        Added,
        AlreadyLinked,
    }

    // Items already merged into one of the merged items follow it to the new lead, so every merged
    // item stays one level below a live lead (ItemLocks, CarryMergedAsync and Reopen's MergeUndo
    // rely on it): merged_into_id becomes the lead, and its coverage comes along unless the lead
    // already has that URL: the link its merge added moves to the lead with its decision (a decided
    // link was reviewed as that link); when its merge added none (the first lead's own source
    // listed the URL, and that lead is now Rejected), its URL becomes a Pending link of the lead as
    // a merge adds one. Each gets its own event.
    private async Task<List<(long Id, long Via, Followed Link)>> FollowAsync(Actor actor, Item lead, List<Item> merged, HashSet<string> taken, int position,
        List<object> received, DateTimeOffset now, CancellationToken ct)
    {
        var ids = merged.Select(m => m.Id).ToList();
        var held = await db.Items.Where(i => i.MergedIntoId != null && ids.Contains(i.MergedIntoId.Value)).OrderBy(i => i.Id).ToListAsync(ct);
        if (held.Count == 0)
        {
            return [];
        }
        var heldIds = held.Select(h => h.Id).ToList();
        var links = await db.RelatedLinks.Where(l => ids.Contains(l.ItemId) && l.MergedFromItemId != null && heldIds.Contains(l.MergedFromItemId.Value))
            .OrderBy(l => l.ItemId).ThenBy(l => l.Position).ToListAsync(ct);
        var followed = new List<(long, long, Followed)>();
        foreach (var item in held)
        {
            var before = item.MergedIntoId!.Value;
            item.MergedIntoId = lead.Id;
            ItemChanges.Stamp(item, actor, now, changesContent: false);
            var link = links.FirstOrDefault(l => l.ItemId == before && l.MergedFromItemId == item.Id && l.Identity is not null);
            var outcome = Followed.AlreadyLinked;
            if (link is not null)
            {
                if (taken.Add(link.Identity!))
                {
                    link.ItemId = lead.Id;
                    link.Position = position++;
                    outcome = Followed.Moved;
                }
            }
            else if (LinkUrl(item) is { } target && taken.Add(target.Identity))
            {
                link = LinkFrom(item, target.Url, target.Identity, position++);
                lead.RelatedLinks.Add(link);
                outcome = Followed.Added;
            }
            var added = outcome != Followed.AlreadyLinked;
            var shownUrl = link?.Url ?? LinkUrl(item)?.Url;
            received.Add(new { from = item.Id, via = before, url = shownUrl, added, decision = link?.Decision.ToString() });
            AuditLog.Add(db, actor, AuditActions.ItemMerged, AuditTargets.Item, item.Id.ToString(),
                new { into = lead.Id, withLead = before, url = shownUrl, linkAdded = added, decision = link?.Decision.ToString(),
                    changes = new[] { new { field = "mergedInto", before, after = lead.Id } } });
            followed.Add((item.Id, before, outcome));
        }
        return followed;
    }

    // The URL the merged item becomes a link by (its webUrl, else its originalUrl) with its
    // identity and the field it came from; null when neither is an absolute http(s) URL, which no
    // link can be.
    private static (string Url, string Identity, string Field)? LinkUrl(Item item) =>
        new[] { (Url: item.WebUrl, Field: "webUrl"), (Url: item.OriginalUrl, Field: "originalUrl") }
            .Select(u => (u.Url, Identity: LinkIdentity.Of(u.Url), u.Field))
            .Where(u => u.Identity is not null).Select(u => ((string, string, string)?)(u.Url!, u.Identity!, u.Field)).FirstOrDefault();

    // The merged item as the lead's related link, Pending like any other, identified by its URL.
    private static RelatedLink LinkFrom(Item item, string url, string identity, int position) => new()
    {
        Position = position,
        Identity = identity,
        Title = item.Title,
        Excerpt = item.Excerpt,
        Url = url,
        IsSafeUrl = true,
        ProviderName = item.ProviderName,
        ProviderDomain = item.ProviderDomain,
        PublishedAt = item.PublishedAt,
        Quality = item.Quality,
        ImageUrl = FirstImage(item.ImagesJson),
        Decision = LinkDecision.Pending,
        MergedFromItemId = item.Id,
    };

    private static string? FirstImage(string? json) =>
        json is null ? null : (JsonSerializer.Deserialize<List<ParsedImage>>(json) ?? []).Select(i => i.Url).FirstOrDefault(UrlRules.IsAbsoluteHttp);
}
