using System.ComponentModel.DataAnnotations;
using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account;

// The one-time link an admin passes to a new user (no e-mail server is assumed).
[Infrastructure.Accounts.SignInRateLimited]
public sealed class SetPasswordModel(OwnAccount account) : PageModel
{
    // Named, as on the sign-in page (LoginModel.Input): no binding from unprefixed fields.
    [BindProperty(Name = "Input")]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required]
        public string UserId { get; set; } = "";

        [Required]
        public string Token { get; set; } = "";

        [Required]
        [StringLength(200, MinimumLength = 12, ErrorMessage = "The password needs at least 12 characters.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string Password { get; set; } = "";

        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
        [Display(Name = "Repeat the password")]
        public string Confirm { get; set; } = "";
    }

    public void OnGet(string? userId, string? token) => Input = new InputModel { UserId = userId ?? "", Token = token ?? "" };

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await account.SetPasswordWithTokenAsync(Actors.Of(HttpContext), Input.UserId, Input.Token, Input.Password, ct);
        return await this.AnswerAsync(outcome, () =>
        {
            TempData["StatusMessage"] = outcome.Message;
            return RedirectToPage("./Login");
        }, Page);
    }
}
