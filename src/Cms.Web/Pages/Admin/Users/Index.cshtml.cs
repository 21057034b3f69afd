using System.ComponentModel.DataAnnotations;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Admin.Users;

public sealed class IndexModel(CmsDbContext db, UserManager<CmsUser> users) : PageModel
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
        // The page has several forms; only this one's fields count here.
        ModelState.Clear();
        TryValidateModel(Input, nameof(Input));
        if (!Cms.Data.Roles.All.Contains(Input.Role))
        {
            ModelState.AddModelError("Input.Role", "Choose Admin, Publisher or Editor.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = new CmsUser { UserName = Input.Email, Email = Input.Email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, Input.Password);
        if (result.Succeeded)
        {
            result = await users.AddToRoleAsync(user, Input.Role);
        }
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }
            await LoadAsync(ct);
            return Page();
        }
        AuditLog.Add(db, User.Identity!.Name!, "user.created", "user", user.Id, new { email = Input.Email, roles = new[] { Input.Role } });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"Created {Input.Email} as {Input.Role}.";
        return RedirectToPage();
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

    // One role per account. The last admin cannot be demoted, so the back office always has one.
    public async Task<IActionResult> OnPostRoleAsync(CancellationToken ct)
    {
        // The page has several forms; only this one's fields count here.
        ModelState.Clear();
        var user = await users.FindByIdAsync(SetRole.UserId);
        if (user is null || !Cms.Data.Roles.All.Contains(SetRole.Role))
        {
            return NotFound();
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Cms.Data.Roles.Admin) && SetRole.Role != Cms.Data.Roles.Admin
            && (await users.GetUsersInRoleAsync(Cms.Data.Roles.Admin)).Count == 1)
        {
            ModelState.AddModelError(string.Empty, $"{user.Email} is the last admin; make someone else admin first.");
            await LoadAsync(ct);
            return Page();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Cli.Setup.Check(await users.RemoveFromRolesAsync(user, current), user.Email ?? user.Id);
        Cli.Setup.Check(await users.AddToRoleAsync(user, SetRole.Role), user.Email ?? user.Id);
        // A new security stamp signs the account out elsewhere, so old role claims do not linger.
        Cli.Setup.Check(await users.UpdateSecurityStampAsync(user), user.Email ?? user.Id);
        AuditLog.Add(db, User.Identity!.Name!, "user.role-changed", "user", user.Id, new { email = user.Email, before = current, after = SetRole.Role });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"{user.Email} is now {SetRole.Role}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUnlockAsync(string userId, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return NotFound();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Cli.Setup.Check(await users.SetLockoutEndDateAsync(user, null), user.Email ?? user.Id);
        Cli.Setup.Check(await users.ResetAccessFailedCountAsync(user), user.Email ?? user.Id);
        AuditLog.Add(db, User.Identity!.Name!, "user.unlocked", "user", user.Id, new { email = user.Email });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"{user.Email} is unlocked.";
        return RedirectToPage();
    }


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
