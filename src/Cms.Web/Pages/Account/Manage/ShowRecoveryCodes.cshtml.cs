using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

// Recovery codes are shown once, straight after they are made (carried in protected TempData).
public sealed class ShowRecoveryCodesModel : PageModel
{
    [TempData]
    public string? RecoveryCodes { get; set; }

    public IReadOnlyList<string> Codes { get; private set; } = [];

    public IActionResult OnGet()
    {
        if (RecoveryCodes is null)
        {
            return RedirectToPage("./Index");
        }
        Codes = RecoveryCodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Page();
    }
}
