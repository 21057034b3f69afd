using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data.Configurations;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages;

// The editors' home: the review queue. The whole view lives in the query string, so it can be
// bookmarked, shared and saved by name; pages are keyset-based so new arrivals do not shift them.
public sealed class IndexModel(QueueQuery queue, BulkEdit bulk, SavedViews savedViews, Cms.Application.Notifications.Inbox inbox) : PageModel
{
    public const int PageSize = QueueQuery.PageSize;

    // After a completed bulk action the same rows (or the same "all matching") stay selected, so a
    // second action on them needs no ticking again (TempData across the redirect).
    private const string KeptIds = "Bulk.KeptIds";
    private const string KeptAction = "Bulk.KeptAction";
    private const string KeptAll = "Bulk.KeptAll";

    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    // Form body only: a link's query string must never choose what a bulk action changes.
    [BindProperty]
    [FromForm]
    public BulkInput Bulk { get; set; } = new();

    [BindProperty]
    [FromForm]
    public SaveViewInput SaveView { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<QueueQuery.Row> Items { get; private set; } = [];
    public StateCounts Counts { get; private set; } = StateCounts.None;
    public IReadOnlyList<string> Categories { get; private set; } = [];
    // Topic names for the suggestions of the topic filters and the bulk topic box.
    public IReadOnlyList<string> Vocabulary { get; private set; } = [];
    public string? NextCursor { get; private set; }
    public string? PreviousCursor { get; private set; }
    public bool IsFirstPage { get; private set; } = true;
    public IReadOnlyDictionary<long, QueueQuery.StoryMore>? More { get; private set; }

    // The newest item id when the page was read: "N new items" counts the view's items after it.
    public long Newest { get; private set; }

    // The signed-in person's account id, the value of "assigned to me".
    public string? Me => Actors.Of(HttpContext).UserId;

    // The person's saved views with their counts, and the one on screen (same canonical query).
    public IReadOnlyList<SavedViews.Counted> Views { get; private set; } = [];
    public string CurrentQuery { get; private set; } = "";
    public SavedViews.Entry? CurrentView => Views.Select(v => v.View).FirstOrDefault(v => v.Query == CurrentQuery);

    // How many items the whole view holds (its states summed): the "select all N" count.
    public StateCount Total { get; private set; } = new(0, CountKind.Exact);

    // Topics the view filters by that do not exist (any more): said, not just "no items".
    public IReadOnlyList<string> MissingTopics { get; private set; } = [];

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

        // Every item of the view instead of the ticked rows.
        public bool AllMatching { get; set; }
    }

    public sealed class SaveViewInput
    {
        [StringLength(SavedViewConfiguration.MaxNameLength)]
        public string? Name { get; set; }

        // "" only the person, a role name, or "*" everyone.
        [StringLength(64)]
        public string? SharedWith { get; set; }

        public bool MakeDefault { get; set; }
    }

    // The bulk menu: edits, and the workflow moves this user's permissions allow.
    public IReadOnlyList<KeyValuePair<string, string>> BulkActions => BulkEdit.ActionsFor(Actors.Of(HttpContext));

    // Whom this person may share a view with (their own roles; any role and everyone with ShareViews).
    public IReadOnlyList<(string Value, string Label)> SharingChoices
    {
        get
        {
            var actor = Actors.Of(HttpContext);
            var choices = new List<(string, string)> { ("", "only me") };
            choices.AddRange(Cms.Core.Security.Roles.All.Where(r => SavedViews.MayShare(actor, r)).Select(r => (r, r + "s")));
            if (SavedViews.MayShare(actor, Cms.Data.Entities.SavedView.Everyone))
            {
                choices.Add((Cms.Data.Entities.SavedView.Everyone, "everyone"));
            }
            return choices;
        }
    }

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
        // The lists, the person's views and unread count, read once (one statement): the default
        // view to open on, then the page.
        var lists = await ReadListsAsync(ct);
        // The plain address opens on the person's default view, if they chose one.
        if (!Request.QueryString.HasValue && lists.Views.FirstOrDefault(v => v.IsDefault) is { } preferred && preferred.Query.Length > 0)
        {
            return Redirect("/?" + preferred.Query);
        }
        if (!ViewIsValid())
        {
            Views = await savedViews.CountedAsync(lists.Views, ct);
            return Page();
        }
        RestoreSelection();
        await LoadAsync(ct, lists);
        return Page();
    }

    private async Task<(QueueQuery.PageLists Lists, IReadOnlyList<SavedViews.Entry> Views)> ReadListsAsync(CancellationToken ct)
    {
        var actor = Actors.Of(HttpContext);
        var lists = await queue.PageListsAsync(actor, View, ct);
        inbox.Remember(actor, lists.Unread);
        return (lists, SavedViews.Entries(actor, lists.SavedViewsJson));
    }

    private void RestoreSelection()
    {
        if (TempData[KeptIds] is string ids)
        {
            Bulk.Ids = ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => long.Parse(i, CultureInfo.InvariantCulture)).ToList();
        }
        if (TempData[KeptAction] is string action)
        {
            Bulk.Action = action;
        }
        Bulk.AllMatching = TempData[KeptAll] is true or "True" or "true";
    }

    // Round trips (besides the session's): the lists with the state totals, the saved views and the
    // unread count (unless given), the page of rows, and only for a filtered view its counts'
    // estimate and reads, and each filtered saved view's (QueueRoundTripTests keeps them few).
    private async Task LoadAsync(CancellationToken ct, (QueueQuery.PageLists Lists, IReadOnlyList<SavedViews.Entry> Views)? read = null)
    {
        var (lists, list) = read ?? await ReadListsAsync(ct);
        Categories = lists.Categories;
        View.Category = lists.Category;
        Vocabulary = lists.Vocabulary;
        // Read before the rows: an item arriving in between is on the page and may be announced as
        // new once, never missed by both.
        Newest = lists.Newest;
        Counts = await queue.CountsAsync(View, ct);
        var page = await queue.PageAsync(View, ct);
        Items = page.Items;
        NextCursor = page.NextCursor;
        PreviousCursor = page.PreviousCursor;
        IsFirstPage = page.IsFirst;
        More = page.More;
        // A first page that holds the whole view is its count: no estimate may contradict the list.
        // One row per story counts stories, not items: its page never stands for the count.
        var states = QueueQuery.StatesOf(View);
        Counts = Counts.WithPage(Items, r => r.State, states, wholeView: !View.Stories && page.IsFirst && page.NextCursor is null && View.After is null && View.Before is null);
        Total = Counts.Sum(states.Distinct());
        MissingTopics = await queue.MissingTopicsAsync(View, ct);
        Views = await savedViews.CountedAsync(list, ct);
        CurrentQuery = QueueViewText.Format(View);
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
        var command = new BulkEdit.Command(Bulk.Ids, Bulk.Action, Bulk.Topic, Bulk.Reason, Bulk.AllMatching ? View : null);
        var outcome = await bulk.HandleAsync(Actors.Of(HttpContext), command, ct);
        return await this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            TempData[KeptIds] = string.Join(',', Bulk.Ids.Distinct().Take(BulkEdit.MaxItems));
            TempData[KeptAction] = Bulk.Action;
            TempData[KeptAll] = Bulk.AllMatching;
            return Redirect(WithQuery("handler", null));
        }, async () =>
        {
            // The page again with the same rows ticked and the same action chosen (Bulk is bound).
            await LoadAsync(ct);
            return Page();
        }, prefix: "Bulk", messageKey: "Bulk.Action");
    }

    public async Task<IActionResult> OnPostSaveViewAsync(CancellationToken ct)
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
        var outcome = await savedViews.SaveAsync(Actors.Of(HttpContext),
            new SavedViews.SaveCommand(SaveView.Name ?? "", QueueViewText.Format(View), SaveView.SharedWith, SaveView.MakeDefault), ct);
        return await this.AnswerAsync(outcome.Result, () =>
        {
            StatusMessage = outcome.Result.Message;
            return Redirect(WithQuery("handler", null));
        }, async () =>
        {
            await LoadAsync(ct);
            return Page();
        }, prefix: "SaveView", messageKey: "SaveView.Name");
    }

    // The current view's URL with one parameter replaced (and the page cursors reset).
    public string WithQuery(string key, string? value) => ViewUrls.Replace(Request.Query, "/", key, value);

    public bool IsSelected(long id) => Bulk.Ids.Contains(id);
}
