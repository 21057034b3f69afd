using System.Linq.Expressions;
using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Exporting;

// Writes items back in the source format, one file per item under its imported file name.
// Streams by keyset so memory does not grow with the corpus.
public sealed class ItemExporter(CmsDbContext db, IFrontMatterReader reader, IFrontMatterWriter writer)
{
    public const int BatchSize = 500;

    public sealed record Row(long Id, string FileName, string SourceYaml, WorkflowState State, DateTimeOffset? EditedAt, int? Quality, string? Category);

    // Written files, and the items whose stored source the reader refuses today (a source stored
    // before a rule was added, e.g. a merge key): each named with its reason, the rest written.
    public sealed record Report(int Written, IReadOnlyList<string> Refused);

    public async Task<Report> ExportAsync(string directory, WorkflowState? state, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var refused = new List<string>();
        long after = 0;
        var count = 0;
        while (true)
        {
            var query = db.Items.AsNoTracking().Where(i => i.Id > after);
            if (state is { } s)
            {
                query = query.Where(i => i.State == s);
            }
            var rows = await query.OrderBy(i => i.Id).Take(BatchSize)
                .Select(i => new Row(i.Id, i.FileName, i.SourceYaml, i.State, i.EditedAt, i.Quality, i.Category))
                .ToListAsync(ct);
            if (rows.Count == 0)
            {
                return new Report(count, refused);
            }
            foreach (var prepared in await PrepareAsync(rows, ct))
            {
                var row = prepared.Row;
                string text;
                try
                {
                    text = Render(prepared);
                }
                catch (FrontMatterException ex)
                {
                    refused.Add($"item {row.Id}: {ex.Problem}");
                    continue;
                }
                // Safe leaf names within the file system's 255 bytes, whatever an old import stored.
                var leaf = SafeFileName.From(row.FileName);
                var name = written.Add(leaf) ? leaf : SafeFileName.Shorten($"{row.Id:D6}_{leaf}", 255);
                written.Add(name);
                await File.WriteAllTextAsync(Path.Combine(directory, name), text, new UTF8Encoding(false), ct);
                count++;
            }
            after = rows[^1].Id;
        }
    }

    // An item with its edits (topics in order, the identities of its approved related links, the
    // links merges added), ready to render.
    public sealed record Prepared(Row Row, IReadOnlyList<string> Topics, IReadOnlySet<string> ApprovedLinks, IReadOnlyList<AddedLink>? AddedLinks = null);

    public async Task<List<Prepared>> PrepareAsync(IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        var topics = (await db.ItemTopics.AsNoTracking().Where(t => ids.Contains(t.ItemId))
                .OrderBy(t => t.Position).Select(t => new { t.ItemId, t.Topic!.Name }).ToListAsync(ct))
            .ToLookup(t => t.ItemId, t => t.Name);
        var approved = (await db.RelatedLinks.AsNoTracking()
                .Where(r => ids.Contains(r.ItemId) && r.Decision == LinkDecision.Approved && r.Identity != null)
                .Select(r => new { r.ItemId, r.Identity }).ToListAsync(ct))
            .ToLookup(r => r.ItemId, r => r.Identity!);
        var added = (await db.RelatedLinks.AsNoTracking().Where(r => ids.Contains(r.ItemId)).Where(IsAdded).ToListAsync(ct)).ToLookup(r => r.ItemId);
        return rows.Select(row => new Prepared(row, topics[row.Id].ToList(), approved[row.Id].ToHashSet(StringComparer.Ordinal), Added(added[row.Id]))).ToList();
    }

    // Links the CMS added (a merge, or a moved link's new address) and an editor approved: not in
    // the item's source, so written from what the item page showed, where it showed them (ItemExport).
    public static readonly Expression<Func<RelatedLink, bool>> IsAdded =
        r => (r.MergedFromItemId != null || r.ReplacesUrl != null) && r.Decision == LinkDecision.Approved && r.Identity != null && r.Url != null;

    private static readonly Func<RelatedLink, bool> IsAddedLink = IsAdded.Compile();

    public static List<AddedLink> Added(IEnumerable<RelatedLink> links) =>
        links.Where(IsAddedLink).OrderBy(r => r.Position)
            .Select(r => new AddedLink(r.Identity!, r.Url!, r.Title, r.Excerpt, r.ProviderName, r.ProviderDomain, r.PublishedAt, r.Quality, r.ImageUrl, r.Position)).ToList();

    // Export and the publishing worker both write what these return. Render is pure CPU work on
    // thread-safe readers and writers, so callers may render in parallel.
    public string Render(Prepared prepared) => Render(prepared.Row, prepared.Topics, prepared.ApprovedLinks, prepared.AddedLinks);

    public Task<List<Row>> RowsAsync(IReadOnlyList<long> ids, CancellationToken ct) =>
        db.Items.AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new Row(i.Id, i.FileName, i.SourceYaml, i.State, i.EditedAt, i.Quality, i.Category))
            .ToListAsync(ct);

    public string Render(Row row, IReadOnlyList<string> topics, IReadOnlySet<string> approvedLinks, IReadOnlyList<AddedLink>? addedLinks = null)
    {
        var source = reader.ReadText(row.FileName, "---\n" + row.SourceYaml + "---\n").Root;
        var edits = new ItemEdits(row.State, row.EditedAt is not null, row.Quality, row.Category, topics, approvedLinks, addedLinks);
        return writer.Write(ItemExport.Apply(source, edits));
    }
}
