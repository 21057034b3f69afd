using Cms.Application;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Cms.Web.Infrastructure;

public static class OutcomeModelState
{
    // A handler's field errors under the page's form prefix ("Input.NewPassword"); general ones at the top.
    public static void AddErrors(this ModelStateDictionary modelState, Outcome outcome, string prefix = "Input")
    {
        foreach (var error in outcome.Errors)
        {
            modelState.AddModelError(error.Field.Length == 0 ? string.Empty : $"{prefix}.{error.Field}", error.Message);
        }
        if (outcome.Errors.Count == 0 && outcome.Message is { Length: > 0 } message)
        {
            modelState.AddModelError(string.Empty, message);
        }
    }
}
