using Cms.Application.Auditing;
using Cms.Application.Notifications;
using Cms.Application.People;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Core.Talk;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Assignment;

// Who is to take an item. Editors and up assign (themselves or anyone who may read items); the
// assignee hears it in their inbox. One transaction with its audit event.
public sealed class ItemAssignments(CmsDbContext db)
{
    public async Task<Outcome> AssignAsync(Actor actor, long itemId, string? userId, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Assigning items",
                new Attempt(AuditActions.ItemAssigned, AuditTargets.Item, itemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        userId = string.IsNullOrWhiteSpace(userId) ? null : userId;
        if (!await db.Items.AnyAsync(i => i.Id == itemId, ct))
        {
            return Outcome.NotFound();
        }
        var now = DateTimeOffset.UtcNow;
        string? name = null;
        if (userId is not null)
        {
            name = await Readers.Of(db, now).Where(u => u.Id == userId).Select(u => u.UserName).SingleOrDefaultAsync(ct);
            if (name is null)
            {
                return Outcome.Invalid("AssignTo", "Items are assigned to editors, publishers or admins whose account is active.");
            }
        }
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var current = await db.ItemAssignments.SingleOrDefaultAsync(a => a.ItemId == itemId, ct);
            if (current?.UserId == userId)
            {
                return Outcome.Ok("Nothing to change.");
            }
            var before = current?.UserId;
            if (current is not null)
            {
                db.ItemAssignments.Remove(current);
            }
            if (userId is not null)
            {
                if (current is not null)
                {
                    await db.SaveChangesAsync(ct);
                }
                db.ItemAssignments.Add(new ItemAssignment { ItemId = itemId, UserId = userId, AssignedBy = actor.UserId ?? actor.Name, AssignedAt = now });
                Notifier.Add(db, actor, userId, NotificationKinds.Assigned, itemId, now);
            }
            AuditLog.Add(db, actor, userId is null ? AuditActions.ItemUnassigned : AuditActions.ItemAssigned, AuditTargets.Item, itemId.ToString(),
                new { before, after = userId, afterName = name });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (SameMoment.Lost(ex))
        {
            return SameMoment.Conflict(db, "Someone else assigned this item at the same moment; reload the page to see who has it now.");
        }
        return Outcome.Ok(userId is null ? "Unassigned." : $"Assigned to {name}.");
    }

    public sealed record Person(string Id, string Name);

    public Task<Person?> AssigneeAsync(long itemId, CancellationToken ct) =>
        db.ItemAssignments.AsNoTracking().Where(a => a.ItemId == itemId)
            .Join(db.Users, a => a.UserId, u => u.Id, (a, u) => new Person(u.Id, u.UserName!))
            .SingleOrDefaultAsync(ct);

    // People an item may be assigned to or who may be mentioned on it, by a prefix of their name.
    public Task<List<Person>> CandidatesAsync(string? prefix, CancellationToken ct, int limit = Readers.MaxSuggestions)
    {
        var query = Readers.Of(db, DateTimeOffset.UtcNow);
        if (!string.IsNullOrWhiteSpace(prefix))
        {
            var upper = prefix.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedUserName!.StartsWith(upper));
        }
        return query.OrderBy(u => u.UserName).Take(Math.Clamp(limit, 1, Readers.MaxListed)).Select(u => new Person(u.Id, u.UserName!)).ToListAsync(ct);
    }
}
