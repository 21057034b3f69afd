using Cms.Application.Auditing;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Cms.Core.Text;

namespace Cms.Application.Items;

// "Publish at": a Publisher schedules a Ready item (four-eyes applies, as for publishing now); the
// worker publishes it when due, through the same transition, on the scheduler's behalf. Leaving
// Ready (send back, reject, an edit) clears the schedule.
public sealed class PublishSchedule(CmsDbContext db, ItemTransitions transitions, PublishingOptions options, TimeProvider clock)
{
    public const int DueBatch = 100;

    // Scheduling and cancelling a schedule are a publisher's decisions.
    public const string Permission = Permissions.PublishItems;

    // Whether this actor may schedule this item: exactly whether they may publish it now (state,
    // permission, four-eyes). The item page offers the form from this same check.
    public static TransitionCheck Check(ItemFacts item, ActorFacts who, bool fourEyes) =>
        Workflow.Check(WorkflowAction.Publish, item, who, fourEyes);

    public async Task<Outcome> ScheduleAsync(Actor actor, long itemId, DateTimeOffset publishAt, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permission, "Scheduling",
                new Attempt(AuditActions.ItemPublishScheduled, AuditTargets.Item, itemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        var now = clock.GetUtcNow();
        if (publishAt <= now)
        {
            return Outcome.Invalid("PublishAt", "Choose a time in the future (UTC).");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        var undecided = await db.RelatedLinks.CountAsync(l => l.ItemId == itemId && l.Decision == LinkDecision.Pending, ct);
        var blocking = await Comments.BlockingThreads.Open(db).CountAsync(c => c.ItemId == itemId, ct);
        var pending = await db.SourceRevisions.AnyAsync(r => r.ItemId == itemId && r.Status == RevisionStatus.Pending, ct);
        var check = Check(new ItemFacts(item.State, undecided, item.ReadyBy, pending, blocking), ItemTransitions.Facts(actor), options.FourEyes);
        if (!check.Allowed)
        {
            AuditLog.Add(db, actor, AuditActions.ItemTransitionRefused, AuditTargets.Item, itemId.ToString(),
                new { action = "Schedule", state = item.State.ToString(), refusal = check.Refusal.ToString(), message = check.Message, via = "item" });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return check.Refusal is Refusal.FourEyes ? Outcome.Forbidden(check.Message!) : Outcome.Invalid("Action", check.Message!);
        }
        var at = Core.Auditing.AuditRecord.Truncate(publishAt);
        AuditLog.Add(db, actor, AuditActions.ItemPublishScheduled, AuditTargets.Item, itemId.ToString(),
            new { changes = new[] { new { field = "publishAt", before = item.PublishAt, after = (DateTimeOffset?)at } } });
        ItemChanges.Schedule(item, at, ItemTransitions.Identity(actor), actor.Name);
        ItemChanges.Stamp(item, actor, now);
        await db.SaveChangesAsync(ct);
        await PublishSignal.NotifyAsync(db, ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Scheduled to publish at {at:yyyy-MM-dd HH:mm} UTC.");
    }

    public async Task<Outcome> CancelAsync(Actor actor, long itemId, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permission, "Cancelling a schedule",
                new Attempt(AuditActions.ItemPublishScheduleCancelled, AuditTargets.Item, itemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId, ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        var scheduledBy = item.PublishScheduledByName;
        if (ItemChanges.DropSchedule(item) is not { } dropped)
        {
            return Outcome.Invalid("PublishAt", "This item is not scheduled.");
        }
        AuditLog.Add(db, actor, AuditActions.ItemPublishScheduleCancelled, AuditTargets.Item, itemId.ToString(),
            new { scheduledBy, changes = new[] { dropped } });
        ItemChanges.Stamp(item, actor, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok("Schedule cancelled.");
    }

    // The worker's part: publish the Ready items whose time has come, each on behalf of whoever
    // scheduled it (their current rights and the four-eyes rule still apply). Rows another
    // instance is handling are skipped. One transaction for the batch; when the database refuses
    // it, each item is tried alone, and the one it refuses backs off (PublishRetryAt) while the
    // others go out. Returns how many were published.
    public async Task<int> PublishDueAsync(Actor worker, CancellationToken ct)
    {
        var due = new List<long>();
        try
        {
            return await PublishAsync(worker, null, due, ct);
        }
        catch (Exception ex) when (IsRefusedByTheDatabase(ex))
        {
            db.ChangeTracker.Clear();
            if (due.Count == 1)
            {
                await FailedAsync(worker, due[0], ex, ct);
                return 0;
            }
        }
        var published = 0;
        foreach (var id in due)
        {
            try
            {
                published += await PublishAsync(worker, id, [], ct);
            }
            catch (Exception ex) when (IsRefusedByTheDatabase(ex))
            {
                db.ChangeTracker.Clear();
                await FailedAsync(worker, id, ex, ct);
            }
        }
        return published;
    }

    private async Task<int> PublishAsync(Actor worker, long? only, List<long> due, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var query = only is { } id
            ? db.Database.SqlQuery<long>($"""
                SELECT id AS "Value" FROM items
                WHERE id = {id} AND publish_at <= {now} AND state = 'Ready' AND (publish_retry_at IS NULL OR publish_retry_at <= {now})
                FOR NO KEY UPDATE SKIP LOCKED
                """)
            : db.Database.SqlQuery<long>($"""
                SELECT id AS "Value" FROM items
                WHERE publish_at <= {now} AND state = 'Ready' AND (publish_retry_at IS NULL OR publish_retry_at <= {now})
                ORDER BY publish_at LIMIT {DueBatch} FOR NO KEY UPDATE SKIP LOCKED
                """);
        due.AddRange(await query.ToListAsync(ct));
        if (due.Count == 0)
        {
            return 0;
        }
        // Claimed with the lock ItemLocks takes (FOR NO KEY UPDATE: a comment or a link may still be
        // added to a due item), so loading the batch does not lock the same rows a second time.
        var batch = new TransitionBatch(db, worker, now);
        await batch.LoadAsync(due, ct, held: true);
        var schedulers = batch.Items.Select(i => i.PublishScheduledBy).OfType<string>().Distinct().ToList();
        var roles = await db.UserRoles.Where(r => schedulers.Contains(r.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        // A disabled or locked account has no rights left to act on, whatever its roles say.
        var users = await db.Users.Where(u => schedulers.Contains(u.Id))
            .Select(u => new { u.Id, Disabled = u.DisabledAt != null, Locked = u.LockoutEnd != null && u.LockoutEnd > now })
            .ToDictionaryAsync(u => u.Id, u => u.Disabled ? "disabled" : u.Locked ? "locked" : null, ct);
        var published = 0;
        foreach (var item in batch.Items)
        {
            var scheduler = item.PublishScheduledBy ?? worker.Name;
            // An account's current roles count; an actor without an account (the CLI) keeps its rights.
            var known = users.TryGetValue(scheduler, out var inactive);
            var permissions = !known ? worker.Permissions
                : inactive is null ? Permissions.Of(roles.Where(r => r.UserId == scheduler).Select(r => r.Name!))
                : new HashSet<string>();
            var onBehalfOf = new { scheduledBy = item.PublishScheduledByName, publishAt = item.PublishAt, account = inactive };
            var check = transitions.Apply(new ActorFacts(scheduler, permissions), item, WorkflowAction.Publish, null, batch, "schedule", onBehalfOf);
            if (check.Allowed)
            {
                published++;
            }
            else
            {
                // A schedule that can no longer be honoured is dropped (its refusal is audited), not retried for ever.
                ItemChanges.DropSchedule(item);
                batch.Changed(item);
            }
        }
        if (!await transitions.WriteAsync(worker, batch, ct))
        {
            return 0;
        }
        await tx.CommitAsync(ct);
        return published;
    }

    // The database refused this item's move (a constraint, a value): the schedule is retried after
    // 2, 4, 8 ... s (as outbox jobs are) and dropped after Publishing:MaxAttempts, each time audited.
    private async Task FailedAsync(Actor worker, long itemId, Exception error, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.SingleOrDefaultAsync(i => i.Id == itemId && i.PublishAt != null, ct);
        if (item is null)
        {
            return;
        }
        var givingUp = ItemChanges.ScheduleFailed(item, clock.GetUtcNow(), options.MaxAttempts);
        var message = UnicodeText.Clip(error.Message, 2000, "");
        AuditLog.Add(db, worker, AuditActions.ItemPublishScheduleFailed, AuditTargets.Item, itemId.ToString(),
            new { error = message, attempt = item.PublishAttempts, retryAt = item.PublishRetryAt, scheduledBy = item.PublishScheduledByName, publishAt = item.PublishAt, gaveUp = givingUp });
        if (givingUp)
        {
            ItemChanges.DropSchedule(item);
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Changed meanwhile (cancelled, sent back): the next round sees it as it is now.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    // The database refused the data (SQLSTATE classes 22 data, 23 constraints, 54 limits, P0 raised
    // by a trigger), as opposed to being unreachable, which the worker loop waits out instead.
    private static bool IsRefusedByTheDatabase(Exception ex) =>
        (ex as PostgresException ?? ex.InnerException as PostgresException) is { SqlState: var state }
        && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal)
            || state.StartsWith("54", StringComparison.Ordinal) || state.StartsWith("P0", StringComparison.Ordinal));

    // When the next scheduled publication is due, for the worker's sleep.
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) =>
        db.Items.Where(i => i.PublishAt != null && i.State == WorkflowState.Ready)
            .MinAsync(i => i.PublishRetryAt != null && i.PublishRetryAt > i.PublishAt ? i.PublishRetryAt : i.PublishAt, ct);
}
