using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Stories;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Items;

// The story of an item: its items, and merge into a lead, split out, move into another story.
// The handlers (Cms.Application.Stories) enforce every rule whatever the page showed.
public sealed class StoryModel(StoryView stories) : PageModel
{
    public StoryView.View Shown { get; private set; } = null!;

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    [FromForm]
    public MergeInput Merge { get; set; } = new();

    [BindProperty]
    [FromForm]
    public MoveInput Move { get; set; } = new();

    public sealed class MergeInput
    {
        public long LeadId { get; set; }
        public List<long> ItemIds { get; set; } = [];
    }

    public sealed class MoveInput
    {
        public long ItemId { get; set; }

        [Display(Name = "Item in the other story")]
        public long? TargetItemId { get; set; }
    }

    public Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => PageAsync(id, ct);

    public async Task<IActionResult> OnPostMergeAsync(long id, [FromServices] MergeItems merge, CancellationToken ct) =>
        await AnswerAsync(id, await merge.HandleAsync(Actors.Of(HttpContext), new MergeItems.Request(Merge.LeadId, Merge.ItemIds.Take(MergeItems.MaxItems + 1).ToList()), ct), "Merge", ct);

    public async Task<IActionResult> OnPostSplitAsync(long id, long itemId, [FromServices] SplitItem split, CancellationToken ct) =>
        await AnswerAsync(id, await split.HandleAsync(Actors.Of(HttpContext), itemId, ct), "Split", ct);

    public async Task<IActionResult> OnPostMoveAsync(long id, [FromServices] MoveItem move, CancellationToken ct)
    {
        if (Move.TargetItemId is not { } target)
        {
            ModelState.AddModelError("Move.TargetItemId", "Name an item of the story to move into.");
            return await PageAsync(id, ct);
        }
        return await AnswerAsync(id, await move.HandleAsync(Actors.Of(HttpContext), new MoveItem.Request(Move.ItemId, target), ct), "Move", ct);
    }

    private Task<IActionResult> AnswerAsync(long id, Outcome outcome, string prefix, CancellationToken ct) =>
        this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect($"/Items/Story/{id}");
        }, () => PageAsync(id, ct), prefix, messageKey: prefix);

    private async Task<IActionResult> PageAsync(long id, CancellationToken ct)
    {
        if (await stories.LoadAsync(Actors.Of(HttpContext), id, ct) is not { } shown)
        {
            return NotFound();
        }
        Shown = shown;
        return Page();
    }
}
