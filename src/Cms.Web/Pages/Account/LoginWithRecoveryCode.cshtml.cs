using System.ComponentModel.DataAnnotations;
using Cms.Application.Users;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account;

// The second step with one of the ten recovery codes instead of the app; each code works once.
[SignInRateLimited]
public sealed class LoginWithRecoveryCodeModel(SignInManager<CmsUser> signIn, SignInRecords records) : PageModel
{
    // Named, as on the sign-in page (LoginModel.Input): no binding from unprefixed fields.
    [BindProperty(Name = "Input")]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required]
        [StringLength(64)]
        [Display(Name = "Recovery code")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync(string? returnUrl = null)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return RedirectToPage("./Login");
        }
        ReturnUrl = returnUrl;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : null;
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("./Login");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(Input.Code.Replace(" ", "", StringComparison.Ordinal));
        await records.SecondFactorAsync(Actors.Of(HttpContext) with { UserId = user.Id, Name = user.UserName! }, user.Id, "recovery-code", result.Succeeded, result.IsLockedOut, ct);
        if (result.Succeeded)
        {
            return LocalRedirect(ReturnUrl ?? "/");
        }
        ModelState.AddModelError(string.Empty, "Invalid recovery code.");
        return Page();
    }
}
