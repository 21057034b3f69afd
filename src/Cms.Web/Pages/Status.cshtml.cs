using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages;

// The body of an empty 4xx/5xx answer (UseStatusCodePagesWithReExecute), inside the app's layout
// with a way back. The re-executed request keeps its method, so nothing here depends on OnGet, and
// a re-executed POST carries no antiforgery token for this page.
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public int Code { get; set; }

    // The address that had no answer, when this is a re-execution (shown HTML-encoded).
    public string? OriginalPath => HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is { } f ? f.OriginalPath + f.OriginalQueryString : null;

    // Why a handler refused (OutcomeAnswers), shown on the 403 page.
    public string? Reason => HttpContext.Items[Infrastructure.OutcomeAnswers.RefusalKey] as string;

    public string RequestId => Activity.Current?.Id ?? HttpContext.TraceIdentifier;

    public (string Title, string Explanation) Text => Code switch
    {
        StatusCodes.Status404NotFound => ("Not found", "There is nothing at this address: the item or page may have been removed, or the link is wrong."),
        StatusCodes.Status403Forbidden => ("Access denied", "Your account does not have the permission this needs. Ask an administrator if you should have it."),
        StatusCodes.Status400BadRequest => ("Bad request", "The request could not be understood. If you sent a form, reload the page and try again."),
        StatusCodes.Status405MethodNotAllowed => ("Not allowed", "This address does not accept that kind of request."),
        StatusCodes.Status429TooManyRequests => ("Too many requests", "Wait a minute and try again."),
        >= 500 => ("Something went wrong", "The error was logged."),
        _ => ("Request refused", "The request could not be completed."),
    };
}
