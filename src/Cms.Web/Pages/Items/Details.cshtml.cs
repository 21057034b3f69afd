using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Application.Live;
using Cms.Application.Publishing;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Items;

public sealed partial class DetailsModel(
    CmsDbContext db, QueueQuery queue, SaveItemEdits save, Presence presence,
    ItemTransitions transitions, PublishSchedule schedule, PublishingOptions publishing, AuditQuery audit,
    SourceRevisions sourceRevisions) : PageModel
{
    public sealed record LinkView(long Id, int Position, string? Title, string? Excerpt, string? Url, bool IsSafeUrl, string? ProviderName, DateTimeOffset? PublishedAt, LinkDecision Decision, string? Reason, int? Quality = null, string? ImageUrl = null);

    public sealed record ItemView(
        long Id, string Title, string? Excerpt, string? Category, string? Type, string? ProviderName, string? ProviderDomain,
        DateTimeOffset? PublishedAt, string OriginalUrl, string? WebUrl, int? Quality, int? Heat, WorkflowState State,
        string SourceYaml, int SourceLength, string? ImagesJson, bool SourceChanged, DateTimeOffset? EditedAt, string? EditedBy, uint Version);

    public ItemView Item { get; private set; } = null!;
    public IReadOnlyList<LinkView> Links { get; private set; } = [];
    public IReadOnlyList<string> Topics { get; private set; } = [];
    public IReadOnlyList<string> Vocabulary { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public IReadOnlyList<ParsedImage> Images { get; private set; } = [];
    public IReadOnlyList<string> OthersEditing { get; private set; } = [];

    // The source's `secured` value, when the page holds the whole source.
    public string? Secured { get; private set; }

    // Set when the save lost a race: what this editor sent, shown beside the current values.
    public InputModel? Conflict { get; private set; }

    // Form body only: a link's query string must never bind what the editor saves.
    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    // The queue view the editor came from: next/previous and save-and-next move within it.
    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    public long? NextId { get; private set; }
    public long? PreviousId { get; private set; }

    // Carries the queue view (View.* only, see ViewUrls) and nothing else from the query string.
    public string UrlFor(long itemId, string? handler = null) =>
        ViewUrls.Replace(Request.Query, $"/Items/Details/{itemId}", "handler", handler);

    // The full source on demand, as plain text; the page shows at most Display.SourceChars of it.
    public async Task<IActionResult> OnGetSourceAsync(long id, CancellationToken ct)
    {
        var source = await db.Items.AsNoTracking().Where(i => i.Id == id).Select(i => i.SourceYaml).SingleOrDefaultAsync(ct);
        return source is null ? NotFound() : Content(source, "text/plain; charset=utf-8");
    }

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

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        Input = CurrentValues();
        return Page();
    }

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

    public async Task<IActionResult> OnPostApproveAllAsync(long id, CancellationToken ct)
    {
        foreach (var link in Input.Links)
        {
            link.Decision = LinkDecision.Approved;
        }
        return await SaveAsync(id, ct) ?? Redirect(UrlFor(id));
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct) =>
        await SaveAsync(id, ct) ?? Redirect(UrlFor(id));

    public async Task<IActionResult> OnPostSaveNextAsync(long id, CancellationToken ct)
    {
        if (await SaveAsync(id, ct) is { } refused)
        {
            return refused;
        }
        var next = await queue.NeighbourAsync(View, id, next: true, ct);
        if (next is null)
        {
            StatusMessage += " That was the last item in this view.";
        }
        return Redirect(next is { } n ? UrlFor(n) : ViewUrls.On(Request.Query, "/"));
    }

    // Null when saved (or when there was nothing to save); otherwise the response to send.
    private async Task<IActionResult?> SaveAsync(long id, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await PageAsync(id, ct);
        }
        var command = new SaveItemEdits.Command(id, Input.Version, Input.Quality, Input.Category, SaveItemEdits.ParseTopics(Input.Topics),
            Input.Links.Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), Input.Note, Input.ClearQuality);
        var outcome = await save.HandleAsync(Actors.Of(HttpContext), command, ct);
        switch (outcome.Status)
        {
            case OutcomeStatus.Ok:
                StatusMessage = outcome.Message;
                return null;
            case OutcomeStatus.NotFound:
                return NotFound();
            case OutcomeStatus.Forbidden:
                return Forbid();
            case OutcomeStatus.Conflict:
                Conflict = Input;
                ModelState.Clear();
                var page = await PageAsync(id, ct);
                // The form shows the current values, but the note is this editor's own words.
                Input = CurrentValues();
                Input.Note = Conflict.Note;
                Response.StatusCode = StatusCodes.Status409Conflict;
                return page;
            default:
                foreach (var error in outcome.Errors)
                {
                    ModelState.AddModelError($"Input.{error.Field}", error.Message);
                }
                return await PageAsync(id, ct);
        }
    }

    private async Task<IActionResult> PageAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    // Everything the page shows, next/previous included, so they survive validation errors and conflicts.
    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        // The source can be a megabyte: only what the page shows leaves the database.
        var item = await db.Items.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new ItemView(i.Id, i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt,
                i.OriginalUrl, i.WebUrl, i.Quality, i.Heat, i.State,
                i.SourceYaml.Length > Display.SourceChars ? i.SourceYaml.Substring(0, Display.SourceChars) : i.SourceYaml, i.SourceYaml.Length,
                i.ImagesJson, i.SourceChanged, i.EditedAt, i.EditedBy, i.Version))
            .SingleOrDefaultAsync(ct);
        if (item is null)
        {
            return false;
        }
        Item = item;
        Links = await db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position)
            .Select(l => new LinkView(l.Id, l.Position, l.Title, l.Excerpt, l.Url, l.IsSafeUrl, l.ProviderName, l.PublishedAt, l.Decision, l.Reason, l.Quality, l.ImageUrl))
            .ToListAsync(ct);
        Topics = await db.ItemTopics.AsNoTracking().Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToListAsync(ct);
        Vocabulary = await db.Topics.AsNoTracking().OrderBy(t => t.Name).Select(t => t.Name).Take(2000).ToListAsync(ct);
        Categories = await db.Categories.AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
        // The parser lists only absolute http(s) images; checked again here for rows stored before it did.
        Images = (item.ImagesJson is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<ParsedImage>>(item.ImagesJson) ?? [])
            .Where(i => UrlRules.IsAbsoluteHttp(i.Url)).ToList();
        Secured = item.SourceLength == item.SourceYaml.Length ? sourceRevisions.SecuredOf(item.SourceYaml) : null;
        OthersEditing = await presence.OthersAsync(Actors.Of(HttpContext), id, ct);
        NextId = await queue.NeighbourAsync(View, id, next: true, ct);
        PreviousId = await queue.NeighbourAsync(View, id, next: false, ct);
        await LoadWorkflowAsync(item, ct);
        await LoadTalkAsync(id, ct);
        if (item.SourceChanged)
        {
            await LoadRevisionAsync(id, ct);
        }
        return true;
    }

    public static bool IsHttp(string? url) => UrlRules.IsAbsoluteHttp(url);
}
