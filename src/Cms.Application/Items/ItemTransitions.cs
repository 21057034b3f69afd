using Cms.Application.Auditing;
using Cms.Application.Delivery;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Cms.Core.Text;

namespace Cms.Application.Items;

// The one command that moves items through the workflow (Cms.Core.Items.Workflow holds the table):
// the item page, the queue's bulk actions and the scheduler all come here. A move that writes or
// removes output adds an outbox row in the same transaction; every move and every refused one is
// audited.
public sealed class ItemTransitions(CmsDbContext db, PublishingOptions options, DeliveryRecorder delivery, TimeProvider clock)
{
    public const int MaxReasonLength = 500;

    // A bulk result names at most this many refused items (each with its reason), then counts the rest.
    public const int MaxNamedRefusals = 20;

    public const string ConflictMessage = "Someone changed these items meanwhile; nothing was changed. Look again and retry.";

    public sealed record Request(long ItemId, WorkflowAction Action, string? Reason);

    public async Task<Outcome> HandleAsync(Actor actor, Request request, CancellationToken ct)
    {
        if (await CheckAsync(actor, request, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var move = await MoveAsync(actor, request, keepRefusal: true, ct);
        if (move.Written)
        {
            await tx.CommitAsync(ct);
        }
        return move.Outcome;
    }

    // The permission check and the reason's validation; null when the move may be tried.
    internal async Task<Outcome?> CheckAsync(Actor actor, Request request, CancellationToken ct)
    {
        var transition = Workflow.Get(request.Action);
        if (await Guard.RequireAsync(db, actor, transition.Permission, transition.Label,
                new Attempt(AuditActions.ItemStateChanged, AuditTargets.Item, request.ItemId.ToString(), request.Action.ToString()), ct) is { } refused)
        {
            return refused;
        }
        return ValidateReason(transition, Clean(request.Reason));
    }

    // Written: whether the caller should commit (the move, or with keepRefusal its refusal's event).
    // Refusal: the event of a refused move, for a caller that rolls back and records it on its own.
    internal sealed record Move(Outcome Outcome, bool Written, (string TargetId, object? Data)? Refusal);

    // One item's move inside the caller's transaction (CheckAsync first).
    internal async Task<Move> MoveAsync(Actor actor, Request request, bool keepRefusal, CancellationToken ct)
    {
        var transition = Workflow.Get(request.Action);
        var batch = new TransitionBatch(db, actor, clock.GetUtcNow());
        await batch.LoadAsync([request.ItemId], ct);
        if (batch.Items is not [var item])
        {
            return new(Outcome.NotFound(), false, null);
        }
        var from = item.State;
        var check = Apply(Facts(actor), item, request.Action, Clean(request.Reason), batch, "item");
        (string TargetId, object? Data)? refusal = check.Allowed ? null : batch.Refusals[^1];
        if (!check.Allowed && !keepRefusal)
        {
            batch.Refusals.Clear();
        }
        if (!await WriteAsync(actor, batch, ct))
        {
            return new(Outcome.Conflict(ConflictMessage), false, null);
        }
        var outcome = check.Refusal switch
        {
            Refusal.None => Outcome.Ok($"{Capitalized(transition.Done)}: {from} → {transition.To}."),
            Refusal.Permission or Refusal.FourEyes => Outcome.Forbidden(check.Message!),
            _ => Outcome.Invalid("Action", check.Message!),
        };
        return new(outcome, check.Allowed || keepRefusal, refusal);
    }

    // A refused move's event on its own, after the caller rolled back what came with it.
    internal async Task RecordRefusalAsync(Actor actor, (string TargetId, object? Data) refusal, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        AuditLog.Add(db, actor, AuditActions.ItemTransitionRefused, AuditTargets.Item, refusal.TargetId, refusal.Data);
        await db.SaveChangesAsync(ct);
    }

    // One transaction for the selection; each item is moved or refused on its own, and the message
    // counts both: "Publish: 12 published, 3 refused: four-eyes."
    public async Task<Outcome> HandleManyAsync(Actor actor, IReadOnlyList<long> ids, WorkflowAction action, string? reason, CancellationToken ct)
    {
        var transition = Workflow.Get(action);
        if (await Guard.RequireAsync(db, actor, transition.Permission, transition.Label,
                new Attempt(AuditActions.ItemStateChanged, AuditTargets.Item, Move: action.ToString()), ct) is { } forbidden)
        {
            return forbidden;
        }
        reason = Clean(reason);
        if (ValidateReason(transition, reason) is { } invalid)
        {
            return invalid;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var distinct = ids.Distinct().ToList();
        var batch = new TransitionBatch(db, actor, clock.GetUtcNow());
        await batch.LoadAsync(distinct, ct);
        var facts = Facts(actor);
        var checks = batch.Items.Select(i => (Item: i, Check: Apply(facts, i, action, reason, batch, "bulk"))).Where(c => !c.Check.Allowed).ToList();
        var refused = checks.Select(c => Workflow.Short(c.Check)).ToList();
        if (!await WriteAsync(actor, batch, ct))
        {
            return Outcome.Conflict(ConflictMessage);
        }
        await tx.CommitAsync(ct);
        var done = batch.Items.Count - refused.Count;
        var message = $"{transition.Label}: {done} {transition.Done}";
        if (refused.Count > 0)
        {
            var groups = refused.GroupBy(r => r).Select(g => (Count: g.Count(), Why: g.Key)).OrderByDescending(g => g.Count).ToList();
            message += groups.Count == 1
                ? $", {refused.Count} refused: {groups[0].Why}"
                : $", {refused.Count} refused: " + string.Join(", ", groups.Select(g => $"{g.Count} {g.Why}"));
        }
        if (distinct.Count > batch.Items.Count)
        {
            message += $", {distinct.Count - batch.Items.Count} not found";
        }
        // Each refused item by name, so the person can go and fix it.
        if (checks.Count > 0)
        {
            message += ". Refused: " + string.Join("; ", checks.Take(MaxNamedRefusals).Select(c => $"#{c.Item.Id} “{UnicodeText.Clip(c.Item.Title, 80)}”: {c.Check.Message}"));
            if (checks.Count > MaxNamedRefusals)
            {
                message += $"; and {checks.Count - MaxNamedRefusals} more";
            }
        }
        return Outcome.Ok(message + ".");
    }

    // The batch's rows, then what its moves deliver (same transaction). False on a conflict.
    internal async Task<bool> WriteAsync(Actor actor, TransitionBatch batch, CancellationToken ct)
    {
        if (!await batch.WriteAsync(ct))
        {
            return false;
        }
        await delivery.RecordAsync(actor, batch.Jobs, batch.Now, ct);
        return true;
    }

    public static ActorFacts Facts(Actor actor) => new(Identity(actor), actor.Permissions);

    // The four-eyes identity: the account id, or the name for actors without an account.
    public static string Identity(Actor actor) => actor.UserId ?? actor.Name;

    // Checks and, when allowed, makes the move in memory: state, who marked it Ready, the schedule,
    // the output name, the outbox row and the audit event; a refusal only records its event. The
    // batch writes it all. `who` is whose rights and four-eyes identity count (the scheduler's when
    // the worker publishes on their behalf).
    internal TransitionCheck Apply(ActorFacts who, Item item, WorkflowAction action, string? reason, TransitionBatch batch, string via, object? onBehalfOf = null)
    {
        var check = Workflow.Check(action, new ItemFacts(item.State, batch.Undecided(item), item.ReadyBy, batch.PendingRevision(item), batch.OpenBlockingThreads(item)), who, options.FourEyes);
        var id = item.Id.ToString();
        if (!check.Allowed)
        {
            batch.Refusals.Add((id, new { action = action.ToString(), state = item.State.ToString(), refusal = check.Refusal.ToString(), message = check.Message, reason, via, onBehalfOf }));
            return check;
        }
        var t = check.Transition;
        if (action is WorkflowAction.SendBack or WorkflowAction.Reject)
        {
            // The people who worked on the item hear it, with the reason (Notifier, at write time).
            batch.Returned.Add((item.Id, action, item.ReadyBy, reason));
        }
        var changes = new List<object> { new { field = "state", before = item.State.ToString(), after = t.To.ToString() } };
        ItemChanges.EnterState(item, t.To, (who.Identity, batch.ActorName, batch.Now));
        if (ItemChanges.DropSchedule(item) is { } dropped)
        {
            changes.Add(dropped);
        }
        if (t.Output == OutputEffect.Write && item.OutputFile is null)
        {
            item.OutputFile = OutputNames.Choose(batch.OutputCandidates[item.Id], batch.TakenOutputFiles);
            changes.Add(new { field = "outputFile", before = (string?)null, after = item.OutputFile });
        }
        if (t.Output != OutputEffect.None && item.OutputFile is not null)
        {
            batch.Jobs.Add((item.Id, action));
        }
        long? unmergedFrom = null;
        if (action == WorkflowAction.Reopen && item.MergedIntoId is { } lead)
        {
            // Reopening a merged item undoes the merge (Stories/MergeItems): it leaves the lead's story
            // link behind only once someone decided it.
            batch.Unmerged.Add((item.Id, lead));
            unmergedFrom = lead;
        }
        batch.Changed(item);
        batch.Moves.Add((id, unmergedFrom is null
            ? (object)new { action = action.ToString(), reason, via, onBehalfOf, changes }
            : new { action = action.ToString(), reason, via, onBehalfOf, changes, unmergedFrom }));
        return check;
    }

    public static string? Clean(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

    private static Outcome? ValidateReason(Transition transition, string? reason)
    {
        if (transition.RequiresReason && reason is null)
        {
            return Outcome.Invalid("Reason", $"{transition.Label} needs a reason.");
        }
        return reason?.Length > MaxReasonLength ? Outcome.Invalid("Reason", $"The reason is longer than {MaxReasonLength} characters.") : null;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
