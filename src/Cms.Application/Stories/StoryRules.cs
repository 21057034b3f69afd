using Cms.Application.Items;
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
