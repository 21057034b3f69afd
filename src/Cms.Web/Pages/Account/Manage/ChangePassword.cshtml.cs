using System.ComponentModel.DataAnnotations;
using Cms.Application.Users;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

// Every other session of the account ends with the change; this one carries on.
public sealed class ChangePasswordModel(OwnAccount account, SignInManager<CmsUser> signIn, UserManager<CmsUser> users) : PageModel
{
    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public bool Required { get; private set; }

    public sealed class InputModel
    {
        [Required]
        [DataType(DataType.Password)]
        [Display(Name = "Current password")]
        public string OldPassword { get; set; } = "";

        [Required]
        [StringLength(200, MinimumLength = 12, ErrorMessage = "The password needs at least 12 characters.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string NewPassword { get; set; } = "";

        [DataType(DataType.Password)]
        [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ.")]
        [Display(Name = "Repeat the new password")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task OnGetAsync() => Required = (await account.StateAsync(Actors.Of(HttpContext)))?.MustChangePassword == true;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var outcome = await account.ChangePasswordAsync(Actors.Of(HttpContext), Input.OldPassword, Input.NewPassword, PostgresTicketStore.SessionOf(HttpContext), ct);
        if (outcome.Succeeded && await users.GetUserAsync(User) is { } user)
        {
            // This session carries on with the new security stamp (and without a pending-password claim).
            await signIn.RefreshSignInAsync(user);
        }
        return await this.AnswerAsync(outcome, () =>
        {
            TempData["StatusMessage"] = outcome.Message;
            return RedirectToPage("./Index");
        }, Page);
    }
}
