using Cms.Application;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Admin.Delivery;

// The delivery admin pages' shared outcome handling: success redirects with a status message, except
// when it made a token or secret: that is shown in the POST's own response (never written to a
// cookie, never cached) and never again; refusals are 403; a field error re-renders the page with
// the message on its form (OutcomeAnswers, as every page).
public abstract class DeliveryPageModel : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    // A token or secret just made, with what was done, in this response only.
    public string? ShownOnce { get; private set; }

    public string? ShownOnceMessage { get; private set; }

    protected abstract Task LoadAsync(CancellationToken ct);

    // Through the one outcome helper; the message of an outcome without field errors goes to the top.
    public Task<IActionResult> ResultAsync(Outcome outcome, CancellationToken ct, string? shownOnce = null, object? routeValues = null) =>
        this.AnswerAsync(outcome, async () =>
        {
            if (shownOnce is null)
            {
                StatusMessage = outcome.Message;
                return RedirectToPage(routeValues);
            }
            (ShownOnce, ShownOnceMessage) = (shownOnce, outcome.Message);
            Response.Headers.CacheControl = "no-store";
            ModelState.Clear();
            await LoadAsync(ct);
            return Page();
        }, async () =>
        {
            await LoadAsync(ct);
            return Page();
        });
}
