using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Items;

// The item page binds, calls and renders: what it shows comes from one read model (ItemPage), and
// each POST calls one handler, injected into that handler method alone, and answers its outcome
// through OutcomeAnswers. The handlers enforce every rule whatever the page showed.
public sealed partial class DetailsModel(ItemPage itemPage) : PageModel
{
    public ItemPage.View Shown { get; private set; } = null!;

    public ItemPage.ItemView Item => Shown.Item;
    public IReadOnlyList<ItemPage.LinkView> Links => Shown.Links;
    public IReadOnlyList<string> Topics => Shown.Topics;
    public IReadOnlyList<string> Vocabulary => Shown.Vocabulary;
    public IReadOnlyList<string> Categories => Shown.Categories;
    public IReadOnlyList<ParsedImage> Images => Shown.Images;
    public IReadOnlyList<string> OthersEditing => Shown.OthersEditing;
    public string? Secured => Shown.Secured;
    public long? NextId => Shown.NextId;
    public long? PreviousId => Shown.PreviousId;
    public ItemPage.WorkflowView Workflow => Shown.Workflow;
    public IReadOnlyList<AuditHistory.Entry> History => Shown.History;
    public SourceRevisions.Comparison? Comparison => Shown.Revision;

    // Set when the save lost a race: what this editor sent, shown beside the current values.
    public InputModel? Conflict { get; private set; }

    // Form body only: a link's query string must never bind what the editor saves.
    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    // The queue view the editor came from: next/previous and save-and-next move within it.
    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    // Carries the queue view (View.* only, see ViewUrls) and nothing else from the query string.
    public string UrlFor(long itemId, string? handler = null) =>
        ViewUrls.Replace(Request.Query, $"/Items/Details/{itemId}", "handler", handler);

    // The full source on demand, as plain text; the page shows at most ItemPage.SourceChars of it.
    public async Task<IActionResult> OnGetSourceAsync(long id, CancellationToken ct) =>
        await itemPage.SourceAsync(id, ct) is { } source ? Content(source, "text/plain; charset=utf-8") : NotFound();

    [TempData]
    public string? StatusMessage { get; set; }

    // The queue view arrives in the link; one that is not valid (a forged cursor, NUL in a filter)
    // is refused before any handler queries with it.
    // Not a handler: without the attribute the override is discovered as one ("PAGE ?handler=HandlerExecution").
    [NonHandler]
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (View.Problems().Any() || ModelState.Any(e => e.Key.StartsWith("View.", StringComparison.Ordinal) && e.Value!.Errors.Count > 0))
        {
            context.Result = BadRequest("The queue view in this link is not valid.");
            return;
        }
        await next();
    }

    public sealed class InputModel
    {
        public uint Version { get; set; }

        [Range(0, 100, ErrorMessage = "Quality must be a whole number from 0 to 100.")]
        public int? Quality { get; set; }

        [StringLength(100)]
        public string? Category { get; set; }

        [Display(Name = "Topics (comma-separated)")]
        [StringLength(2000)]
        public string? Topics { get; set; }

        [StringLength(SaveItemEdits.MaxNoteLength)]
        public string? Note { get; set; }

        // Ticked to remove the score on purpose; an emptied box alone is refused.
        public bool ClearQuality { get; set; }

        public List<LinkInput> Links { get; set; } = [];
    }

    public sealed class LinkInput
    {
        public long Id { get; set; }
        public LinkDecision Decision { get; set; }

        [StringLength(SaveItemEdits.MaxReasonLength)]
        public string? Reason { get; set; }
    }

    public Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => ReloadAsync(id, ct);

    private InputModel CurrentValues() => new()
    {
        Version = Item.Version,
        Quality = Item.Quality,
        Category = Item.Category,
        Topics = string.Join(", ", Topics),
        Links = Links.Select(l => new LinkInput { Id = l.Id, Decision = l.Decision, Reason = l.Reason }).ToList(),
    };

    // The version the form carries: the one the editor loaded, except after a conflict, when they
    // have now seen the current values and may save over them deliberately.
    public uint FormVersion => Conflict is null && Input.Version != 0 ? Input.Version : Item.Version;

    public async Task<IActionResult> OnPostApproveAllAsync(long id, [FromServices] SaveItemEdits save, CancellationToken ct)
    {
        foreach (var link in Input.Links)
        {
            link.Decision = LinkDecision.Approved;
        }
        return await SaveAsync(id, save, () => Task.FromResult<IActionResult>(Redirect(UrlFor(id))), ct);
    }

    public Task<IActionResult> OnPostAsync(long id, [FromServices] SaveItemEdits save, CancellationToken ct) =>
        SaveAsync(id, save, () => Task.FromResult<IActionResult>(Redirect(UrlFor(id))), ct);

    public Task<IActionResult> OnPostSaveNextAsync(long id, [FromServices] SaveItemEdits save, [FromServices] QueueQuery queue, CancellationToken ct) =>
        SaveAsync(id, save, () => NextAsync(id, queue, ct), ct);

    // The next item in the queue view the editor came from, or the queue when this was the last.
    private async Task<IActionResult> NextAsync(long id, QueueQuery queue, CancellationToken ct)
    {
        var next = await queue.NeighbourAsync(View, id, next: true, ct);
        if (next is null)
        {
            StatusMessage += " That was the last item in this view.";
        }
        return Redirect(next is { } n ? UrlFor(n) : ViewUrls.On(Request.Query, "/"));
    }

    private SaveItemEdits.Command EditCommand(long id) =>
        new(id, Input.Version, Input.Quality, Input.Category, SaveItemEdits.ParseTopics(Input.Topics),
            Input.Links.Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), Input.Note, Input.ClearQuality);

    private Task<IActionResult> SaveAsync(long id, SaveItemEdits save, Func<Task<IActionResult>> saved, CancellationToken ct) =>
        EditAsync(id, () => save.HandleAsync(Actors.Of(HttpContext), EditCommand(id), ct), saved, ct);

    // A change made from the edit form (a save, or a move with the form's edits): an invalid form
    // or a refusal shows the page again with what the editor typed; a lost race shows the conflict.
    private async Task<IActionResult> EditAsync(long id, Func<Task<Outcome>> call, Func<Task<IActionResult>> saved, CancellationToken ct,
        string messageKey = ConflictKey)
    {
        if (!ModelState.IsValid)
        {
            return await PageAsync(id, ct);
        }
        var outcome = await call();
        if (outcome.Status == OutcomeStatus.Conflict)
        {
            // The page shows this editor's values beside the current ones (_Conflict) and the form
            // the current values, with the note kept: it is this editor's own words.
            Conflict = Input;
            ModelState.Clear();
            messageKey = ConflictKey;
        }
        return await this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return saved();
        }, async () =>
        {
            var page = await PageAsync(id, ct);
            if (Conflict is not null && page is PageResult)
            {
                Input = CurrentValues();
                Input.Note = Conflict.Note;
            }
            return page;
        }, messageKey: messageKey, prefixes: MovePrefixes);
    }

    // Where a lost save's message goes: the conflict panel shows it.
    public const string ConflictKey = "Conflict";

    private async Task<IActionResult> PageAsync(long id, CancellationToken ct)
    {
        if (await itemPage.LoadAsync(Actors.Of(HttpContext), id, View, ct) is not { } shown)
        {
            return NotFound();
        }
        Shown = shown;
        return Page();
    }

    // The page again with the edit form showing the stored values (this request carried none).
    private async Task<IActionResult> ReloadAsync(long id, CancellationToken ct)
    {
        var page = await PageAsync(id, ct);
        if (page is PageResult)
        {
            Input = CurrentValues();
        }
        return page;
    }

    public static bool IsHttp(string? url) => UrlRules.IsAbsoluteHttp(url);
}
