using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Items;

// Rules every change to an item obeys, whichever entry point makes it.
public static class ItemChanges
{
    // A person's change: from now on the importer keeps new sources aside instead of overwriting,
    // and the row's xmin moves, so an editor holding an older version gets a conflict.
    // On a Published item the change waits for a correction, which four-eyes keeps its author from
    // publishing: they are remembered where a Ready item remembers who marked it ready.
    public static void Stamp(Item item, Actor actor, DateTimeOffset now)
    {
        item.EditedAt = now;
        item.EditedBy = actor.Name;
        item.UpdatedAt = now;
        if (item.State == WorkflowState.Published)
        {
            item.ReadyBy = ItemTransitions.Identity(actor);
            item.ReadyByName = actor.Name;
            item.ReadyAt = now;
        }
    }

    public const string EditedWhileReady = "edited while Ready";

    // Changing what was reviewed (quality, category, topics, related links) sends a Ready item back
    // to New, whichever entry point makes the change, and drops its schedule. Returns the field
    // changes to record in the edit's audit event (none when the item was not Ready).
    public static List<object> ReturnToNewIfReady(Item item)
    {
        var changes = new List<object>();
        if (item.State != WorkflowState.Ready)
        {
            return changes;
        }
        changes.Add(new { field = "state", before = nameof(WorkflowState.Ready), after = nameof(WorkflowState.New), reason = EditedWhileReady });
        item.State = WorkflowState.New;
        item.ReadyBy = null;
        item.ReadyByName = null;
        item.ReadyAt = null;
        if (item.PublishAt is { } scheduled)
        {
            changes.Add(new { field = "publishAt", before = (DateTimeOffset?)scheduled, after = (DateTimeOffset?)null });
            item.PublishAt = null;
            item.PublishScheduledBy = null;
            item.PublishScheduledByName = null;
        }
        return changes;
    }

    // Unsafe links stay rejected: a URL that is not absolute http(s) can never be published as a link.
    public static bool MayDecide(RelatedLink link, LinkDecision decision) =>
        link.IsSafeUrl || decision != LinkDecision.Approved;

    // Returns whether anything changed.
    public static bool Decide(RelatedLink link, LinkDecision decision, string? reason, Actor actor, DateTimeOffset now)
    {
        if (!MayDecide(link, decision) || (link.Decision == decision && link.Reason == reason))
        {
            return false;
        }
        link.Decision = decision;
        link.Reason = reason;
        link.DecidedBy = actor.Name;
        link.DecidedAt = now;
        return true;
    }
}
