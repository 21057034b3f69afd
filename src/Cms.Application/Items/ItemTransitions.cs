using Cms.Application.Auditing;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// The one command that moves items through the workflow (Cms.Core.Items.Workflow holds the table):
// the item page, the queue's bulk actions, the scheduler and the CLI all come here. A move that
// writes or removes output adds an outbox row in the same transaction; every move and every
// refused one is audited.
public sealed class ItemTransitions(CmsDbContext db, PublishingOptions options)
{
    public const int MaxReasonLength = 500;

    public sealed record Request(long ItemId, WorkflowAction Action, string? Reason);

    public async Task<Outcome> HandleAsync(Actor actor, Request request, CancellationToken ct)
    {
        var transition = Workflow.Get(request.Action);
        if (!actor.Can(transition.Permission))
        {
            await AuditLog.RefusedAsync(db, actor, Attempted(request.Action), AuditTargets.Item, request.ItemId.ToString(), $"{transition.Permission} required", ct);
            return Outcome.Forbidden($"{transition.Label} needs the {transition.Permission} permission.");
        }
        var reason = Clean(request.Reason);
        if (ValidateReason(transition, reason) is { } invalid)
        {
            return invalid;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == request.ItemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        var batch = await BatchAsync([item], ct);
        var from = item.State;
        var check = Apply(actor, Facts(actor), item, request.Action, reason, batch, DateTimeOffset.UtcNow, "item");
        await SaveAsync(batch, ct);
        await tx.CommitAsync(ct);
        return check.Refusal switch
        {
            Refusal.None => Outcome.Ok($"{Capitalized(transition.Done)}: {from} → {transition.To}."),
            Refusal.Permission or Refusal.FourEyes => Outcome.Forbidden(check.Message!),
            _ => Outcome.Invalid("Action", check.Message!),
        };
    }

    // One transaction for the selection; each item is moved or refused on its own, and the message
    // counts both: "Publish: 12 published, 3 refused: four-eyes."
    public async Task<Outcome> HandleManyAsync(Actor actor, IReadOnlyList<long> ids, WorkflowAction action, string? reason, CancellationToken ct)
    {
        var transition = Workflow.Get(action);
        if (!actor.Can(transition.Permission))
        {
            await AuditLog.RefusedAsync(db, actor, "bulk:" + Attempted(action), AuditTargets.Item, null, $"{transition.Permission} required", ct);
            return Outcome.Forbidden($"{transition.Label} needs the {transition.Permission} permission.");
        }
        reason = Clean(reason);
        if (ValidateReason(transition, reason) is { } invalid)
        {
            return invalid;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var distinct = ids.Distinct().ToList();
        var items = await db.Items.Where(i => distinct.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
        var batch = await BatchAsync(items, ct);
        var now = DateTimeOffset.UtcNow;
        var facts = Facts(actor);
        var refused = items.Select(item => Apply(actor, facts, item, action, reason, batch, now, "bulk"))
            .Where(c => !c.Allowed).Select(Workflow.Short).ToList();
        await SaveAsync(batch, ct);
        await tx.CommitAsync(ct);
        var done = items.Count - refused.Count;
        var message = $"{transition.Label}: {done} {transition.Done}";
        if (refused.Count > 0)
        {
            var groups = refused.GroupBy(r => r).Select(g => (Count: g.Count(), Why: g.Key)).OrderByDescending(g => g.Count).ToList();
            message += groups.Count == 1
                ? $", {refused.Count} refused: {groups[0].Why}"
                : $", {refused.Count} refused: " + string.Join(", ", groups.Select(g => $"{g.Count} {g.Why}"));
        }
        if (distinct.Count > items.Count)
        {
            message += $", {distinct.Count - items.Count} not found";
        }
        return Outcome.Ok(message + ".");
    }

    public static ActorFacts Facts(Actor actor) => new(Identity(actor), actor.Permissions);

    // The four-eyes identity: the account id, or the name for actors without an account.
    public static string Identity(Actor actor) => actor.UserId ?? actor.Name;

    public static ItemFacts Facts(Item item, int undecidedLinks) => new(item.State, undecidedLinks, item.ReadyBy);

    // What a transition needs from the database beyond the items themselves, read once per batch.
    internal sealed class Batch
    {
        public required Dictionary<long, int> Undecided { get; init; }
        public required HashSet<string> TakenOutputFiles { get; init; }
        public bool Output { get; set; }
    }

    internal async Task<Batch> BatchAsync(IReadOnlyList<Item> items, CancellationToken ct)
    {
        var ids = items.Select(i => i.Id).ToList();
        var undecided = await db.RelatedLinks.Where(l => ids.Contains(l.ItemId) && l.Decision == LinkDecision.Pending)
            .GroupBy(l => l.ItemId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var names = items.Where(i => i.OutputFile is null).Select(i => i.FileName).Distinct().ToList();
        var taken = await db.Items.Where(i => i.OutputFile != null && names.Contains(i.OutputFile)).Select(i => i.OutputFile!).ToListAsync(ct);
        return new Batch { Undecided = undecided, TakenOutputFiles = taken.ToHashSet(StringComparer.Ordinal) };
    }

    // Checks and, when allowed, makes the move on a tracked item: state, who marked it Ready, the
    // schedule, the outbox row and the audit event. A refusal only adds its audit event. The
    // caller saves. `who` is whose rights and four-eyes identity count (the scheduler's, when the
    // worker publishes on their behalf).
    internal TransitionCheck Apply(Actor actor, ActorFacts who, Item item, WorkflowAction action, string? reason, Batch batch,
        DateTimeOffset now, string via, object? onBehalfOf = null)
    {
        var check = Workflow.Check(action, Facts(item, batch.Undecided.GetValueOrDefault(item.Id)), who, options.FourEyes);
        var id = item.Id.ToString();
        if (!check.Allowed)
        {
            AuditLog.Add(db, actor, AuditActions.ItemTransitionRefused, AuditTargets.Item, id,
                new { action = action.ToString(), state = item.State.ToString(), refusal = check.Refusal.ToString(), message = check.Message, reason, via, onBehalfOf });
            return check;
        }
        var t = check.Transition;
        var changes = new List<object> { new { field = "state", before = item.State.ToString(), after = t.To.ToString() } };
        item.State = t.To;
        if (t.To == WorkflowState.Ready)
        {
            item.ReadyBy = who.Identity;
            item.ReadyByName = actor.Name;
            item.ReadyAt = now;
        }
        else
        {
            item.ReadyBy = null;
            item.ReadyByName = null;
            item.ReadyAt = null;
        }
        if (item.PublishAt is { } scheduled)
        {
            changes.Add(new { field = "publishAt", before = (DateTimeOffset?)scheduled, after = (DateTimeOffset?)null });
            item.PublishAt = null;
            item.PublishScheduledBy = null;
            item.PublishScheduledByName = null;
        }
        if (t.Output == OutputEffect.Write && item.OutputFile is null)
        {
            item.OutputFile = OutputFileFor(item, batch.TakenOutputFiles);
            changes.Add(new { field = "outputFile", before = (string?)null, after = item.OutputFile });
        }
        if (t.Output != OutputEffect.None && item.OutputFile is not null)
        {
            db.PublishJobs.Add(new PublishJob
            {
                ItemId = item.Id,
                Trigger = action,
                RequestedBy = actor.Name,
                CreatedAt = now,
                NextAttemptAt = now,
                Status = PublishJobStatus.Pending,
            });
            batch.Output = true;
        }
        ItemChanges.Stamp(item, actor, now);
        AuditLog.Add(db, actor, AuditActions.ItemStateChanged, AuditTargets.Item, id,
            new { action = action.ToString(), reason, via, onBehalfOf, changes });
        return check;
    }

    internal async Task SaveAsync(Batch batch, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        if (batch.Output)
        {
            await PublishSignal.NotifyAsync(db, ct);
        }
    }

    // The source file name, unless another item already publishes under it.
    private static string OutputFileFor(Item item, HashSet<string> taken)
    {
        var name = item.FileName;
        while (!taken.Add(name))
        {
            name = $"{item.Id}_{name}";
        }
        return name;
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

    private static string Attempted(WorkflowAction action) => "item." + action.ToString().ToLowerInvariant();

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
