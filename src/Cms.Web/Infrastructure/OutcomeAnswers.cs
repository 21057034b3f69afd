using Cms.Application;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Infrastructure;

// The one way a page answers a handler's Outcome:
// - Ok: what the page does on success (usually a redirect with the status message);
// - NotFound: 404; Forbidden: 403. Both are empty answers, re-executed to /Status/{code} in the
//   app's layout; the 403 page names the handler's reason (the handler has audited the refusal).
//   Never Forbid(): that is the cookie handler's redirect for a page policy, not a handler's answer;
// - Invalid: the field errors in ModelState under the page's form prefix, and the page again;
// - Conflict: the same, answered 409.
public static class OutcomeAnswers
{
    // Where the 403 page finds the reason (HttpContext.Items survive the re-execution).
    public static readonly object RefusalKey = new();

    // prefixes: for a page whose one handler answers for two forms, the form prefix of particular
    // fields (the item page's move and its edits: "Reason" goes under "Move").
    public static async Task<IActionResult> AnswerAsync(this PageModel page, Outcome outcome, Func<Task<IActionResult>> succeeded,
        Func<Task<IActionResult>> again, string prefix = "Input", string messageKey = "", IReadOnlyDictionary<string, string>? prefixes = null)
    {
        switch (outcome.Status)
        {
            case OutcomeStatus.Ok:
                return await succeeded();
            case OutcomeStatus.NotFound:
                return page.NotFound();
            case OutcomeStatus.Forbidden:
                page.HttpContext.Items[RefusalKey] = outcome.Message;
                return page.StatusCode(StatusCodes.Status403Forbidden);
        }
        page.ModelState.AddErrors(outcome, prefix, messageKey, prefixes);
        var result = await again();
        if (outcome.Status == OutcomeStatus.Conflict && result is PageResult)
        {
            page.Response.StatusCode = StatusCodes.Status409Conflict;
        }
        return result;
    }

    // The same, for a page whose success answer needs no query (a redirect, the page).
    public static Task<IActionResult> AnswerAsync(this PageModel page, Outcome outcome, Func<IActionResult> succeeded,
        Func<Task<IActionResult>> again, string prefix = "Input", string messageKey = "") =>
        page.AnswerAsync(outcome, () => Task.FromResult(succeeded()), again, prefix, messageKey);

    // The same, for a page whose "again" needs no reload either.
    public static Task<IActionResult> AnswerAsync(this PageModel page, Outcome outcome, Func<IActionResult> succeeded,
        Func<IActionResult> again, string prefix = "Input", string messageKey = "") =>
        page.AnswerAsync(outcome, () => Task.FromResult(succeeded()), () => Task.FromResult(again()), prefix, messageKey);

    // A handler's field errors under the page's form prefix ("Input.NewPassword"); an outcome with
    // a message and no field errors puts the message under messageKey (the top of the page, "").
    public static void AddErrors(this ModelStateDictionary modelState, Outcome outcome, string prefix = "Input", string messageKey = "",
        IReadOnlyDictionary<string, string>? prefixes = null)
    {
        foreach (var error in outcome.Errors)
        {
            modelState.AddModelError(error.Field.Length == 0 ? messageKey : $"{prefixes?.GetValueOrDefault(error.Field) ?? prefix}.{error.Field}", error.Message);
        }
        if (outcome.Errors.Count == 0 && outcome.Message is { Length: > 0 } message)
        {
            modelState.AddModelError(messageKey, message);
        }
    }
}
