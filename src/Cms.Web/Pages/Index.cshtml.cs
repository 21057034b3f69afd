using Cms.Core.Items;
using Cms.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages;

// The editors' home: items not yet published, newest first.
public sealed class IndexModel(CmsDbContext db) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(long Id, string Title, string? ProviderName, string? Category, DateTimeOffset? PublishedAt, int? Quality, WorkflowState State, bool SourceChanged);

    public IReadOnlyList<Row> Items { get; private set; } = [];

    public IReadOnlyDictionary<WorkflowState, int> Counts { get; private set; } = new Dictionary<WorkflowState, int>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Counts = await db.Items.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        Items = await db.Items.AsNoTracking()
            .Where(i => i.State == WorkflowState.New || i.State == WorkflowState.Ready)
            .OrderByDescending(i => i.PublishedAt).ThenByDescending(i => i.Id)
            .Take(PageSize)
            .Select(i => new Row(i.Id, i.Title, i.ProviderName, i.Category, i.PublishedAt, i.Quality, i.State, i.SourceChanged))
            .ToListAsync(ct);
    }
}
