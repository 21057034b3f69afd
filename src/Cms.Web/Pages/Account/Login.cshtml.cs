using System.ComponentModel.DataAnnotations;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account;

[SignInRateLimited]
public sealed class LoginModel(PasswordSignIn signIn) : PageModel
{
    // One message for every failure: unknown account, wrong password and lockout look alike.
    public const string FailureMessage = "Invalid sign-in attempt.";

    // Named, so the form binds only from "Input.*" fields: without a name, a form with no such
    // field binds "Email=..." (the empty prefix), which the per-account limiter, keyed on
    // "Input.Email", does not see (REVIEW14).
    [BindProperty(Name = "Input")]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    // Why the session this browser had was ended (an admin, a lock, the idle timeout), if it was.
    public string? EndNotice { get; private set; }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        [StringLength(256)]
        public string Email { get; set; } = "";

        [Required]
        [StringLength(1024)]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Display(Name = "Keep me signed in")]
        public bool RememberMe { get; set; }
    }

    public void OnGet(string? returnUrl = null)
    {
        ReturnUrl = returnUrl;
        EndNotice = PostgresTicketStore.EndNoticeOf(HttpContext);
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : null;
        // A checkbox posted with a value that is not a boolean cannot be rendered back by the
        // checkbox tag helper (it throws, a 500): it counts as unchecked.
        if (ModelState.GetFieldValidationState("Input.RememberMe") == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
        {
            ModelState.Remove("Input.RememberMe");
            Input.RememberMe = false;
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        switch (await signIn.SignInAsync(HttpContext, Input.Email, Input.Password, Input.RememberMe, ct))
        {
            case PasswordSignIn.Result.Succeeded:
                return LocalRedirect(ReturnUrl ?? "/");
            case PasswordSignIn.Result.RequiresTwoFactor:
                return RedirectToPage("./LoginWith2fa", new { returnUrl = ReturnUrl, rememberMe = Input.RememberMe });
            default:
                ModelState.AddModelError(string.Empty, FailureMessage);
                return Page();
        }
    }
}
