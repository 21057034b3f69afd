using System.Globalization;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages;

// The editors' home: the review queue. The whole view lives in the query string, so it can be
// bookmarked and shared; pages are keyset-based so new arrivals do not shift them.
public sealed class IndexModel(CmsDbContext db) : PageModel
{
    public const int PageSize = 50;

    public sealed class QueueView
    {
        public List<WorkflowState> State { get; set; } = [];
        public string? Category { get; set; }
        public string? Provider { get; set; }
        public List<string> Topic { get; set; } = [];
        public string TopicMode { get; set; } = "any";
        public int? QualityMin { get; set; }
        public int? QualityMax { get; set; }
        public DateOnly? From { get; set; }
        public DateOnly? To { get; set; }
        public bool Undecided { get; set; }
        public bool SourceChanged { get; set; }
        public string? Q { get; set; }
        public string Sort { get; set; } = "date";
        public string? After { get; set; }
    }

    public sealed record Row(long Id, string Title, string? ProviderName, string? Category, DateTimeOffset? PublishedAt, int? Quality, int? Heat, WorkflowState State, bool SourceChanged, int Undecided);

    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    public IReadOnlyList<Row> Items { get; private set; } = [];
    public IReadOnlyDictionary<WorkflowState, int> Counts { get; private set; } = new Dictionary<WorkflowState, int>();
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (View.QualityMin is < 0 or > 100 || View.QualityMax is < 0 or > 100)
        {
            ModelState.AddModelError("View.QualityMin", "Quality bounds go from 0 to 100.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var filtered = await FilterAsync(ct);
        Counts = await filtered.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

        var states = View.State.Count > 0 ? View.State : [WorkflowState.New, WorkflowState.Ready];
        var page = Paginate(filtered.Where(i => states.Contains(i.State)));
        Items = await page.Take(PageSize + 1)
            .Select(i => new Row(i.Id, i.Title, i.ProviderName, i.Category, i.PublishedAt, i.Quality, i.Heat, i.State, i.SourceChanged,
                i.RelatedLinks.Count(l => l.Decision == LinkDecision.Pending)))
            .ToListAsync(ct);
        if (Items.Count > PageSize)
        {
            Items = Items.Take(PageSize).ToList();
            NextCursor = Cursor(Items[^1]);
        }
        Categories = await db.Items.AsNoTracking().Where(i => i.Category != null).Select(i => i.Category!).Distinct().OrderBy(c => c).Take(200).ToListAsync(ct);
        return Page();
    }

    // Every filter except the state one, so the per-state counts describe the same view.
    private async Task<IQueryable<Item>> FilterAsync(CancellationToken ct)
    {
        var q = db.Items.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(View.Category))
        {
            q = q.Where(i => i.Category == View.Category);
        }
        if (!string.IsNullOrWhiteSpace(View.Provider))
        {
            q = q.Where(i => i.ProviderDomain == View.Provider || i.ProviderName == View.Provider);
        }
        var topics = View.Topic.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim().ToLowerInvariant()).Distinct().ToList();
        if (topics.Count > 0)
        {
            var ids = await db.Topics.Where(t => topics.Contains(t.NormalizedName)).Select(t => t.Id).ToListAsync(ct);
            if (View.TopicMode == "all")
            {
                if (ids.Count < topics.Count)
                {
                    return q.Where(_ => false);
                }
                foreach (var id in ids)
                {
                    q = q.Where(i => db.ItemTopics.Any(t => t.ItemId == i.Id && t.TopicId == id));
                }
            }
            else
            {
                q = q.Where(i => db.ItemTopics.Any(t => t.ItemId == i.Id && ids.Contains(t.TopicId)));
            }
        }
        if (View.QualityMin is { } min)
        {
            q = q.Where(i => i.Quality >= min);
        }
        if (View.QualityMax is { } max)
        {
            q = q.Where(i => i.Quality <= max);
        }
        if (View.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.PublishedAt >= start);
        }
        if (View.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.PublishedAt < end);
        }
        if (View.Undecided)
        {
            q = q.Where(i => i.RelatedLinks.Any(l => l.Decision == LinkDecision.Pending));
        }
        if (View.SourceChanged)
        {
            q = q.Where(i => i.SourceChanged);
        }
        if (!string.IsNullOrWhiteSpace(View.Q))
        {
            var text = View.Q.Trim();
            // English stemming for English, the 'simple' configuration for every other script.
            q = q.Where(i => i.SearchVector!.Matches(EF.Functions.WebSearchToTsQuery("english", text).Or(EF.Functions.WebSearchToTsQuery("simple", text))));
        }
        return q;
    }

    // Newest (or best, or hottest) first; PostgreSQL sorts NULLs first in descending order, and the
    // keyset predicates follow that order exactly.
    private IQueryable<Item> Paginate(IQueryable<Item> q)
    {
        var (value, afterId) = ParseCursor(View.After);
        switch (View.Sort)
        {
            case "quality":
            {
                int? v = value is null ? null : int.Parse(value, CultureInfo.InvariantCulture);
                if (afterId is { } id)
                {
                    q = v is null
                        ? q.Where(i => (i.Quality == null && i.Id < id) || i.Quality != null)
                        : q.Where(i => i.Quality != null && (i.Quality < v || (i.Quality == v && i.Id < id)));
                }
                return q.OrderByDescending(i => i.Quality).ThenByDescending(i => i.Id);
            }
            case "heat":
            {
                int? v = value is null ? null : int.Parse(value, CultureInfo.InvariantCulture);
                if (afterId is { } id)
                {
                    q = v is null
                        ? q.Where(i => (i.Heat == null && i.Id < id) || i.Heat != null)
                        : q.Where(i => i.Heat != null && (i.Heat < v || (i.Heat == v && i.Id < id)));
                }
                return q.OrderByDescending(i => i.Heat).ThenByDescending(i => i.Id);
            }
            default:
            {
                DateTimeOffset? v = value is null ? null : new DateTimeOffset(long.Parse(value, CultureInfo.InvariantCulture), TimeSpan.Zero);
                if (afterId is { } id)
                {
                    q = v is null
                        ? q.Where(i => (i.PublishedAt == null && i.Id < id) || i.PublishedAt != null)
                        : q.Where(i => i.PublishedAt != null && (i.PublishedAt < v || (i.PublishedAt == v && i.Id < id)));
                }
                return q.OrderByDescending(i => i.PublishedAt).ThenByDescending(i => i.Id);
            }
        }
    }

    private string Cursor(Row last)
    {
        var value = View.Sort switch
        {
            "quality" => last.Quality?.ToString(CultureInfo.InvariantCulture),
            "heat" => last.Heat?.ToString(CultureInfo.InvariantCulture),
            _ => last.PublishedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture),
        };
        return $"{value ?? "null"}_{last.Id}";
    }

    private static (string? Value, long? Id) ParseCursor(string? cursor)
    {
        var parts = cursor?.Split('_');
        if (parts is not { Length: 2 } || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var id)
            || (parts[0] != "null" && !long.TryParse(parts[0], CultureInfo.InvariantCulture, out _)))
        {
            return (null, null);
        }
        return (parts[0] == "null" ? null : parts[0], id);
    }

    // The current view's query string with one parameter replaced.
    public string WithQuery(string key, string? value)
    {
        var query = Request.Query.Where(p => !p.Key.Equals(key, StringComparison.OrdinalIgnoreCase) && !p.Key.Equals("View.After", StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        if (value is not null)
        {
            query.Add(new(key, value));
        }
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/", query);
    }
}
