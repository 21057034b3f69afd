using Cms.Core.Items;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Topics;

// The one lookup of a category in the list's spelling whatever the letter case asked
// (CategoryNames.Key): the edit form, accepted revisions, the queue's filter and delivery's
// ?category= all ask it, of whichever context they read (the primary or the standby's).
public static class CategorySpelling
{
    // The list's spelling of the name, or null when the list has no category of its key.
    public static Task<string?> SpellingAsync(this IQueryable<Category> categories, string name, CancellationToken ct)
    {
        var key = CategoryNames.Key(name);
        return categories.AsNoTracking().Where(c => c.NormalizedName == key).Select(c => c.Name).FirstOrDefaultAsync(ct);
    }
}
