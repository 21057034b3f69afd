using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Items;

// Rules every change to an item obeys, whichever entry point makes it, and the one place each
// workflow column is set: the state with who marked it Ready, the schedule, the edit stamp.
// (TransitionBatch writes what these set; it decides nothing itself.)
public static class ItemChanges
{
    // A person's change: from now on the importer keeps new sources aside instead of overwriting,
    // and the row's xmin moves, so an editor holding an older version gets a conflict.
    // On a Published item the change waits for a correction, which four-eyes keeps its author from
    // publishing: they are remembered where a Ready item remembers who marked it ready. A workflow
    // move (changesContent: false) is not such a change: the publisher of an item has not changed it.
    public static void Stamp(Item item, Actor actor, DateTimeOffset now, bool changesContent = true)
    {
        item.EditedAt = now;
        item.EditedBy = actor.Name;
        item.UpdatedAt = now;
        if (changesContent && item.State == WorkflowState.Published)
        {
            item.ReadyBy = ItemTransitions.Identity(actor);
            item.ReadyByName = actor.Name;
            item.ReadyAt = now;
        }
    }

    // The state, and who marked the item Ready: set on entering Ready, cleared on leaving it.
    // markedBy (entering Ready only): the four-eyes identity (ItemTransitions.Identity), the name shown, when.
    public static void EnterState(Item item, WorkflowState state, (string Identity, string Name, DateTimeOffset At)? markedBy = null)
    {
        if (state == WorkflowState.Ready && markedBy is null)
        {
            throw new ArgumentException("Entering Ready records who marked the item ready.", nameof(markedBy));
        }
        var ready = state == WorkflowState.Ready;
        item.State = state;
        item.ReadyBy = ready ? markedBy!.Value.Identity : null;
        item.ReadyByName = ready ? markedBy!.Value.Name : null;
        item.ReadyAt = ready ? markedBy!.Value.At : null;
    }

    // "Publish at": by is whose rights the worker will publish with, byName the name shown.
    public static void Schedule(Item item, DateTimeOffset at, string by, string byName)
    {
        item.PublishAt = at;
        item.PublishScheduledBy = by;
        item.PublishScheduledByName = byName;
        item.PublishAttempts = 0;
        item.PublishRetryAt = null;
    }

    // The database refused the scheduled publication: it is retried after a backoff (2, 4, 8 ... s,
    // as outbox jobs are). Returns whether that was the last attempt, which the caller drops.
    public static bool ScheduleFailed(Item item, DateTimeOffset now, int maxAttempts)
    {
        item.PublishAttempts++;
        var givingUp = item.PublishAttempts >= maxAttempts;
        item.PublishRetryAt = givingUp ? null : now + Publishing.PublishingOptions.Backoff(item.PublishAttempts);
        return givingUp;
    }

    // Drops the schedule, if there is one; returns the change to record (null when there was none).
    public static object? DropSchedule(Item item)
    {
        if (item.PublishAt is not { } scheduled)
        {
            return null;
        }
        item.PublishAt = null;
        item.PublishScheduledBy = null;
        item.PublishScheduledByName = null;
        item.PublishAttempts = 0;
        item.PublishRetryAt = null;
        return new { field = "publishAt", before = (DateTimeOffset?)scheduled, after = (DateTimeOffset?)null };
    }

    public const string EditedWhileReady = "edited while Ready";

    // Whether saving a reviewed field (quality, category, topics, related links) sends the item back to New.
    public static bool EditReturnsToNew(WorkflowState state) => state == WorkflowState.Ready;

    // Changing what was reviewed (quality, category, topics, related links) sends a Ready item back
    // to New, whichever entry point makes the change, and drops its schedule. Returns the field
    // changes to record in the edit's audit event (none when the item was not Ready).
    public static List<object> ReturnToNewIfReady(Item item, string reason = EditedWhileReady)
    {
        var changes = new List<object>();
        if (!EditReturnsToNew(item.State))
        {
            return changes;
        }
        changes.Add(new { field = "state", before = nameof(WorkflowState.Ready), after = nameof(WorkflowState.New), reason });
        EnterState(item, WorkflowState.New);
        if (DropSchedule(item) is { } dropped)
        {
            changes.Add(dropped);
        }
        return changes;
    }

    // Only a link with an identity (an absolute http(s) URL, the first entry with it) may be
    // approved: the others can never be published, whichever path a decision comes by.
    public static bool MayDecide(RelatedLink link, LinkDecision decision) =>
        link.Identity is not null || decision != LinkDecision.Approved;

    // A change to one related link as the audit records it: named by its URL and title, never by
    // its position, so the trail still names the right link after the list changes. what: how the
    // link came or went (a source revision), when it was not a decision.
    public static object LinkChange(RelatedLink link, string? before, string? after, string? what, string? reason) =>
        new { field = LinkField, url = link.Url, title = link.Title, before, after, what, reason };

    public const string LinkField = "related";

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
