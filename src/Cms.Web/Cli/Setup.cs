using System.Security.Cryptography;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Cli;

public static class Setup
{
    public const string DefaultAdminEmail = "admin@cms.local";

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        await db.Database.MigrateAsync(ct);
        // Create the first key here, once, so app instances started together share one key ring
        // instead of each minting its own.
        var keys = scope.ServiceProvider.GetRequiredService<IKeyManager>();
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ExpirationDate > DateTimeOffset.UtcNow.AddDays(7)))
        {
            keys.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        }
    }

    // Returns the line to print about the admin login.
    public static async Task<string> EnsureAdminAsync(IServiceProvider services, CancellationToken ct)
    {
        var email = Environment.GetEnvironmentVariable("CMS_ADMIN_EMAIL") is { Length: > 0 } e ? e : DefaultAdminEmail;
        var password = Environment.GetEnvironmentVariable("CMS_ADMIN_PASSWORD") is { Length: > 0 } p ? p : null;

        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await users.FindByEmailAsync(email);
        string line;
        if (user is null)
        {
            var generated = password is null;
            password ??= GeneratePassword();
            user = new CmsUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user, password), email);
            AuditLog.Add(db, AuditLog.System, "user.created", "user", user.Id, new { email, roles = new[] { Roles.Admin } });
            line = generated
                ? $"Admin login: {email} / {password}  (generated now and shown only once; set CMS_ADMIN_PASSWORD to choose it)"
                : $"Admin login: {email} (password from CMS_ADMIN_PASSWORD)";
        }
        else if (password is not null && !await users.CheckPasswordAsync(user, password))
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            Check(await users.ResetPasswordAsync(user, token, password), email);
            AuditLog.Add(db, AuditLog.System, "user.password-reset", "user", user.Id, new { email, reason = "CMS_ADMIN_PASSWORD changed" });
            line = $"Admin login: {email} (password reset to CMS_ADMIN_PASSWORD)";
        }
        else
        {
            line = password is null
                ? $"Admin login: {email} (password as printed on first run; './cms users reset-password {email}' sets a new one)"
                : $"Admin login: {email} (password from CMS_ADMIN_PASSWORD)";
        }
        if (!await users.IsInRoleAsync(user, Roles.Admin))
        {
            Check(await users.AddToRoleAsync(user, Roles.Admin), email);
            AuditLog.Add(db, AuditLog.System, "user.role-added", "user", user.Id, new { email, role = Roles.Admin });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return line;
    }

    public static async Task LoadSamplesOnFirstRunAsync(IServiceProvider services, string folder, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        if (await db.Items.AnyAsync(ct))
        {
            return;
        }
        var importer = scope.ServiceProvider.GetRequiredService<Importing.ItemImporter>();
        var report = await importer.ImportAsync([folder], AuditLog.System, progress: null, ct);
        Console.WriteLine($"Loaded samples from {folder}: {report.Summary}");
    }

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    public static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
