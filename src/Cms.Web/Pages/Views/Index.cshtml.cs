using Cms.Application.Queue;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Views;

// The saved views one person sees: their order, their default, and deleting the views they may
// change. Views are made on the queue ("Save this view"); SavedViews checks every rule.
public sealed class IndexModel(SavedViews savedViews) : PageModel
{
    public IReadOnlyList<SavedViews.Counted> Views { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Views = await savedViews.CountedAsync(Actors.Of(HttpContext), ct);

    public Task<IActionResult> OnPostUpAsync(long id, CancellationToken ct) => AnswerAsync(savedViews.MoveAsync(Actors.Of(HttpContext), id, -1, ct), ct);

    public Task<IActionResult> OnPostDownAsync(long id, CancellationToken ct) => AnswerAsync(savedViews.MoveAsync(Actors.Of(HttpContext), id, +1, ct), ct);

    // id absent: no default (the queue opens on the review queue).
    public Task<IActionResult> OnPostDefaultAsync(long? id, CancellationToken ct) => AnswerAsync(savedViews.SetDefaultAsync(Actors.Of(HttpContext), id, ct), ct);

    public Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct) => AnswerAsync(savedViews.DeleteAsync(Actors.Of(HttpContext), id, ct), ct);

    private async Task<IActionResult> AnswerAsync(Task<Cms.Application.Outcome> change, CancellationToken ct)
    {
        var outcome = await change;
        return await this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return RedirectToPage();
        }, async () =>
        {
            await OnGetAsync(ct);
            return Page();
        });
    }
}
