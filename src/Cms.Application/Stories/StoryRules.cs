using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Cms.Application.Stories;

// What split and move share.
internal static class StoryRules
{
    // A merged item stays in its lead's story until Reopen undoes the merge (the lead holds its link).
    public static Outcome? MergedRefusal(Item item) => item.MergedIntoId is { } lead
        ? Outcome.Invalid("ItemId", $"#{item.Id} is merged into #{lead}; a Publisher reopens it first.")
        : null;

    // The items merged into an item go with it when it is split out or moved: a merge folded them
    // into the lead's coverage (the lead holds their links), so they belong to its story whatever
    // story that is. Each gets its own audit event naming the lead it followed. Returns their ids.
    public static async Task<List<long>> CarryMergedAsync(CmsDbContext db, Actor actor, Item lead, long before, string action, DateTimeOffset now, CancellationToken ct)
    {
        // Merged items sit in the lead's story (the story index finds them).
        var merged = await db.Items.Where(i => i.StoryId == before && i.MergedIntoId == lead.Id).OrderBy(i => i.Id).ToListAsync(ct);
        foreach (var item in merged)
        {
            item.StoryId = lead.StoryId;
            item.UpdatedAt = now;
            AuditLog.Add(db, actor, action, AuditTargets.Item, item.Id.ToString(),
                new { withLead = lead.Id, changes = new[] { new { field = "story", before, after = lead.StoryId } } });
        }
        return merged.Select(i => i.Id).ToList();
    }

    public static string With(IReadOnlyList<long> merged) =>
        merged.Count == 0 ? "" : $" The item{(merged.Count == 1 ? "" : "s")} merged into it went along: {string.Join(", ", merged.Select(i => $"#{i}"))}.";

    public static async Task<long> NewStoryIdAsync(CmsDbContext db, CancellationToken ct) =>
        (await db.Database.SqlQueryRaw<long>("SELECT nextval('story_ids') AS \"Value\"").ToListAsync(ct)).Single();

    // The item's xmin guards against a change made meanwhile: then nothing is written.
    public static async Task<Outcome> SaveAsync(CmsDbContext db, IDbContextTransaction tx, string message, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome.Conflict(ItemTransitions.ConflictMessage);
        }
        await tx.CommitAsync(ct);
        return Outcome.Ok(message);
    }
}
