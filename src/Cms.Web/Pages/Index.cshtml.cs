using System.ComponentModel.DataAnnotations;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages;

// The editors' home: the review queue. The whole view lives in the query string, so it can be
// bookmarked and shared; pages are keyset-based so new arrivals do not shift them.
public sealed class IndexModel(QueueQuery queue, BulkEdit bulk) : PageModel
{
    public const int PageSize = QueueQuery.PageSize;

    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    // Form body only: a link's query string must never choose what a bulk action changes.
    [BindProperty]
    [FromForm]
    public BulkInput Bulk { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<QueueQuery.Row> Items { get; private set; } = [];
    public StateCounts Counts { get; private set; } = StateCounts.None;
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public string? PreviousCursor { get; private set; }
    public bool IsFirstPage { get; private set; } = true;
    public IReadOnlyDictionary<long, QueueQuery.StoryMore>? More { get; private set; }

    // Anything that narrows the default view: the empty state offers to clear it.
    public bool IsNarrowed => QueueQuery.HasFilters(View) || View.State.Count > 0;

    public sealed class BulkInput
    {
        public List<long> Ids { get; set; } = [];

        public string Action { get; set; } = "";

        [StringLength(ItemParser.MaxTopicLength)]
        public string? Topic { get; set; }

        [StringLength(Cms.Application.Items.ItemTransitions.MaxReasonLength)]
        public string? Reason { get; set; }
    }

    // The bulk menu: edits, and the workflow moves this user's permissions allow.
    public IReadOnlyList<KeyValuePair<string, string>> BulkActions => BulkEdit.ActionsFor(Actors.Of(HttpContext));

    // Every value of the view is checked before any query runs: a bad link gets a message, not a 500.
    private bool ViewIsValid()
    {
        foreach (var problem in View.Problems())
        {
            ModelState.AddModelError(problem.Field, problem.Message);
        }
        return ModelState.IsValid;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!ViewIsValid())
        {
            return Page();
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Counts = await queue.CountsAsync(View, ct);
        var page = await queue.PageAsync(View, ct);
        Items = page.Items;
        NextCursor = page.NextCursor;
        PreviousCursor = page.PreviousCursor;
        IsFirstPage = page.IsFirst;
        More = page.More;
        Categories = await queue.CategoriesAsync(ct);
    }

    public async Task<IActionResult> OnPostBulkAsync(CancellationToken ct)
    {
        if (View.Problems().Any())
        {
            return BadRequest();
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var outcome = await bulk.HandleAsync(Actors.Of(HttpContext), new BulkEdit.Command(Bulk.Ids, Bulk.Action, Bulk.Topic, Bulk.Reason), ct);
        return await this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(WithQuery("handler", null));
        }, async () =>
        {
            await LoadAsync(ct);
            return Page();
        }, prefix: "Bulk", messageKey: "Bulk.Action");
    }

    // The current view's URL with one parameter replaced (and the page cursors reset).
    public string WithQuery(string key, string? value) => ViewUrls.Replace(Request.Query, "/", key, value);
}
