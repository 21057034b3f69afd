using System.ComponentModel.DataAnnotations;
using System.Text;
using Cms.Application.Users;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

// Identity's built-in authenticator (TOTP, RFC 6238): the key as a QR code drawn on the server and
// as text; a code from the app turns two-factor on and shows ten recovery codes once.
public sealed class EnableAuthenticatorModel(OwnAccount account, SignInManager<CmsUser> signIn, UserManager<CmsUser> users) : PageModel
{
    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    public string SharedKey { get; private set; } = "";

    public string QrSvg { get; private set; } = "";

    public bool Required => User.HasClaim(CmsClaimsPrincipalFactory.PendingClaim, CmsClaimsPrincipalFactory.PendingTwoFactor);

    public sealed class InputModel
    {
        [Required]
        [StringLength(7, MinimumLength = 6)]
        [Display(Name = "Code from the app")]
        public string Code { get; set; } = "";
    }

    [TempData]
    public string? RecoveryCodes { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await LoadAsync() ? Page() : NotFound();
        }
        var outcome = await account.EnableAuthenticatorAsync(Actors.Of(HttpContext), Input.Code, ct);
        // A new principal without the "set up two-factor first" claim.
        if (outcome.Succeeded && await users.GetUserAsync(User) is { } user)
        {
            await signIn.RefreshSignInAsync(user);
        }
        return await this.AnswerAsync(outcome.Result, () =>
        {
            RecoveryCodes = string.Join(' ', outcome.Value!);
            TempData["StatusMessage"] = outcome.Result.Message;
            return RedirectToPage("./ShowRecoveryCodes");
        }, async () => await LoadAsync() ? Page() : NotFound());
    }

    private async Task<bool> LoadAsync()
    {
        var key = await account.AuthenticatorKeyAsync(Actors.Of(HttpContext));
        if (key is null)
        {
            return false;
        }
        SharedKey = Format(key);
        var email = User.Identity?.Name ?? "";
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Cms:" + email)}?secret={key}&issuer=Cms&digits=6";
        QrSvg = QrCodeSvg.Render(uri, "QR code of the authenticator key");
        return true;
    }

    private static string Format(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return text.ToString().TrimEnd().ToLowerInvariant();
    }
}
