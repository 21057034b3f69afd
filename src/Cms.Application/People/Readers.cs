using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;

namespace Cms.Application.People;

// The people who may read items now: an active account (not disabled, not locked) with a role that
// holds ReviewItems. Mentions, assignment and the "@" suggestions all ask this one query, so a
// suggestion is never refused and a refusal is never suggested.
public static class Readers
{
    private static readonly string[] ReaderRoles = Permissions.RolesWith(Permissions.ReviewItems).ToArray();

    public static IQueryable<CmsUser> Of(CmsDbContext db, DateTimeOffset now) =>
        db.Users.Where(u => u.DisabledAt == null && (u.LockoutEnd == null || u.LockoutEnd <= now)
            && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && ReaderRoles.Contains(r.Name!))));

    public const int MaxSuggestions = 20;

    // The assignment list on the item page.
    public const int MaxListed = 500;
}
