using System.ComponentModel.DataAnnotations;
using Cms.Application.Users;
using Cms.Core.Security;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Admin.Users;

// A new account with its roles and either an initial password or a one-time set-password link
// (valid 24 h) that the admin passes on; no e-mail server is assumed.
public sealed class CreateModel(UserAdministration users) : PageModel
{
    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    // Shown once, right after the account is made with a link.
    public string? SetPasswordLink { get; private set; }

    public string? CreatedEmail { get; private set; }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        [StringLength(256)]
        public string Email { get; set; } = "";

        [StringLength(200)]
        [DataType(DataType.Password)]
        [Display(Name = "Initial password (12+ characters)")]
        public string? Password { get; set; }

        [Display(Name = "Give a one-time link to set the password instead")]
        public bool SendLink { get; set; }

        // Nothing ticked: ticking Publisher must not also make an Editor (the handler asks for one or more).
        public List<string> Roles { get; set; } = [];
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Input.SendLink && string.IsNullOrEmpty(Input.Password))
        {
            ModelState.AddModelError("Input.Password", "Give an initial password of at least 12 characters, or choose the one-time link.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await users.ProvisionAsync(Actors.Of(HttpContext), Input.Email, Input.SendLink ? null : Input.Password, Input.Roles, Input.SendLink, ct);
        return await this.AnswerAsync(outcome.Result, () =>
        {
            if (outcome.Value!.SetPasswordToken is { } token)
            {
                CreatedEmail = Input.Email;
                SetPasswordLink = Url.PageLink("/Account/SetPassword", values: new { userId = outcome.Value.User.Id, token });
                return Page();
            }
            TempData["StatusMessage"] = outcome.Result.Message;
            return RedirectToPage("./Index");
        }, Page);
    }

    public static IReadOnlyList<string> AllRoles => Roles.All;
}
