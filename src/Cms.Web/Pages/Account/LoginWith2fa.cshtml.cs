using System.ComponentModel.DataAnnotations;
using Cms.Application.Users;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account;

// The second step when two-factor sign-in is on: a code from the authenticator app.
[SignInRateLimited]
public sealed class LoginWith2faModel(SignInManager<CmsUser> signIn, SignInRecords records) : PageModel
{
    // Named, as on the sign-in page (LoginModel.Input): no binding from unprefixed fields.
    [BindProperty(Name = "Input")]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public bool RememberMe { get; set; }

    public sealed class InputModel
    {
        [Required]
        [StringLength(7, MinimumLength = 6)]
        [Display(Name = "Authenticator code")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(bool rememberMe, string? returnUrl = null)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return RedirectToPage("./Login");
        }
        (RememberMe, ReturnUrl) = (rememberMe, returnUrl);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(bool rememberMe, string? returnUrl, CancellationToken ct)
    {
        (RememberMe, ReturnUrl) = (rememberMe, Url.IsLocalUrl(returnUrl) ? returnUrl : null);
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("./Login");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var code = Input.Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, rememberMe, rememberClient: false);
        await records.SecondFactorAsync(Actors.Of(HttpContext) with { UserId = user.Id, Name = user.UserName! }, user.Id, "authenticator", result.Succeeded, result.IsLockedOut, ct);
        if (result.Succeeded)
        {
            return LocalRedirect(ReturnUrl ?? "/");
        }
        ModelState.AddModelError(string.Empty, "Invalid authenticator code.");
        return Page();
    }
}
