using Cms.Application.Users;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account;

public sealed class LogoutModel(SignInManager<CmsUser> signInManager, SignInRecords records) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    // Signing out deletes this session's row, so a copy of the cookie is worthless from now on.
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var actor = Actors.Of(HttpContext);
        await signInManager.SignOutAsync();
        await records.SignedOutAsync(actor, ct);
        return RedirectToPage("/Account/Login");
    }
}
