using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Users;
using Cms.Core.Security;
using Cms.Data;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Admin.Users;

public sealed class IndexModel(CmsDbContext db, UserAdministration users) : PageModel
{
    public sealed record Row(string Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset? LockoutEnd);

    public IReadOnlyList<Row> Users { get; private set; } = [];

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";

        [Required]
        [StringLength(200, MinimumLength = 12, ErrorMessage = "The password needs at least 12 characters.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        [Required]
        public string Role { get; set; } = Roles.Editor;
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!IsValid(nameof(Input)))
        {
            return await RenderAsync(nameof(Input), null, ct);
        }
        var outcome = await users.ProvisionAsync(Actors.Of(HttpContext), Input.Email, Input.Password, Input.Role, ct);
        return await RenderAsync(nameof(Input), outcome.Result, ct);
    }

    [BindProperty]
    public RoleInput SetRole { get; set; } = new();

    public sealed class RoleInput
    {
        [Required]
        public string UserId { get; set; } = "";

        [Required]
        public string Role { get; set; } = "";
    }

    public async Task<IActionResult> OnPostRoleAsync(CancellationToken ct) =>
        await RenderAsync(nameof(SetRole), await users.ChangeRoleAsync(Actors.Of(HttpContext), SetRole.UserId, SetRole.Role, ct), ct);

    public async Task<IActionResult> OnPostUnlockAsync(string userId, CancellationToken ct) =>
        await RenderAsync("Unlock", await users.UnlockAsync(Actors.Of(HttpContext), userId, ct), ct);

    // Null outcome: the form itself was invalid. Only the posted form's messages are shown.
    private async Task<IActionResult> RenderAsync(string form, Outcome? outcome, CancellationToken ct)
    {
        switch (outcome?.Status)
        {
            case OutcomeStatus.Ok:
                StatusMessage = outcome.Message;
                return RedirectToPage();
            case OutcomeStatus.NotFound:
                return NotFound();
            case OutcomeStatus.Forbidden:
                return Forbid();
        }
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith(form + ".", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        foreach (var error in outcome?.Errors ?? [])
        {
            ModelState.AddModelError(error.Field.Length == 0 ? string.Empty : $"{form}.{error.Field}", error.Message);
        }
        await LoadAsync(ct);
        return Page();
    }

    private bool IsValid(string prefix) =>
        ModelState.Where(e => e.Key.StartsWith(prefix + ".", StringComparison.Ordinal)).All(e => e.Value!.Errors.Count == 0);

    private async Task LoadAsync(CancellationToken ct)
    {
        var roles = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        var byUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        Users = (await db.Users.OrderBy(u => u.Email).Select(u => new { u.Id, u.Email, u.LockoutEnd }).ToListAsync(ct))
            .Select(u => new Row(u.Id, u.Email ?? "", byUser[u.Id].ToList(), u.LockoutEnd > DateTimeOffset.UtcNow ? u.LockoutEnd : null))
            .ToList();
    }
}
