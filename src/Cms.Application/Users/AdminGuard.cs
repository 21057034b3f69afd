using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// "The last active admin stays": every change that can take an admin away (demote, disable, lock)
// takes this transaction-scoped advisory lock before it checks, so two admins demoting each other
// at once are serialized and the second sees the first's change.
internal static class AdminGuard
{
    private const long LockKey = 0x636d735f61646d; // "cms_adm"

    public static Task SerializeAsync(CmsDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);

    // Active: holds Admin, not disabled, not locked.
    public static async Task<bool> IsLastActiveAdminAsync(CmsDbContext db, string userId, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var active = db.UserRoles
            .Where(ur => ur.RoleId == db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).First())
            .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u)
            .Where(u => u.DisabledAt == null && (u.LockoutEnd == null || u.LockoutEnd <= now));
        return await active.AnyAsync(u => u.Id == userId, ct) && !await active.AnyAsync(u => u.Id != userId, ct);
    }
}
