using Cms.Application;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Admin.Delivery;

// The delivery admin pages' shared outcome handling: success redirects with a status message (and a
// token or secret shown once, carried by TempData to the next GET only); refusals are 403; a field
// error re-renders the page with the message on its form (OutcomeAnswers, as every page).
public abstract class DeliveryPageModel : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    // A token or secret, shown on the next page view and never again.
    [TempData]
    public string? ShownOnce { get; set; }

    protected abstract Task LoadAsync(CancellationToken ct);

    // Through the one outcome helper; the message of an outcome without field errors goes to the top.
    public Task<IActionResult> ResultAsync(Outcome outcome, CancellationToken ct, string? shownOnce = null, object? routeValues = null) =>
        this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            ShownOnce = shownOnce;
            return RedirectToPage(routeValues);
        }, async () =>
        {
            await LoadAsync(ct);
            return Page();
        });
}
