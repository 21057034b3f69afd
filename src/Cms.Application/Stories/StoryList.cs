using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Stories;

// Every item in the review queue with its story (items alone in their story too), grouped by story:
// what `./cms stories --format tsv` prints so the grouping can be checked from outside. Streamed,
// so a million items cost no memory.
public sealed class StoryList(CmsDbContext db)
{
    public sealed record Line(string FileName, long StoryId);

    public IAsyncEnumerable<Line> QueueAsync(CancellationToken ct) =>
        db.Items.AsNoTracking().Where(ItemQueue.Predicate)
            .OrderBy(i => i.StoryId).ThenBy(i => i.Id)
            .Select(i => new Line(i.FileName, i.StoryId))
            .AsAsyncEnumerable();

    // A file name never breaks a line or a column: backslash, tab, CR and LF are escaped as in
    // PostgreSQL's text format.
    public static string Tsv(Line line) =>
        $"{line.FileName.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\r", "\\r").Replace("\n", "\\n")}\t{line.StoryId}";
}
