using System.ComponentModel.DataAnnotations;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Cms.Web.Pages.Account;

[EnableRateLimiting(Infrastructure.CmsApp.LoginRateLimit)]
public sealed class LoginModel(SignInManager<CmsUser> signInManager, ILogger<LoginModel> logger) : PageModel
{
    // One message for every failure: unknown account, wrong password and lockout look alike.
    public const string FailureMessage = "Invalid sign-in attempt.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";

        [Required]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Display(Name = "Keep me signed in")]
        public bool RememberMe { get; set; }
    }

    public void OnGet(string? returnUrl = null) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl = null)
    {
        ReturnUrl = returnUrl;
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
        var result = await signInManager.PasswordSignInAsync(Input.Email, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }
        if (result.IsLockedOut)
        {
            logger.LogWarning("Sign-in refused for a locked-out account");
        }
        ModelState.AddModelError(string.Empty, FailureMessage);
        return Page();
    }
}
