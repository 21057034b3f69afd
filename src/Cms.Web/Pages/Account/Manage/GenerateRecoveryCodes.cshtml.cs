using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

public sealed class GenerateRecoveryCodesModel(OwnAccount account) : PageModel
{
    [TempData]
    public string? RecoveryCodes { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await account.GenerateRecoveryCodesAsync(Actors.Of(HttpContext), ct);
        return await this.AnswerAsync(outcome.Result, () =>
        {
            RecoveryCodes = string.Join(' ', outcome.Value!);
            return RedirectToPage("./ShowRecoveryCodes");
        }, Page);
    }
}
