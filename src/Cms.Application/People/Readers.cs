using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Npgsql;

namespace Cms.Application.People;

// The people who may read items now: an active account (not disabled, not locked) with a role that
// holds ReviewItems. Mentions, assignment and the "@" suggestions all ask this one query, so a
// suggestion is never refused and a refusal is never suggested; and only these people are notified
// or e-mailed (inbox entries and digests carry item titles and comment text).
public static class Readers
{
    private static readonly string[] ReaderRoles = Permissions.RolesWith(Permissions.ReviewItems).ToArray();

    public static IQueryable<CmsUser> Of(CmsDbContext db, DateTimeOffset now) =>
        db.Users.Where(u => u.DisabledAt == null && (u.LockoutEnd == null || u.LockoutEnd <= now)
            && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && ReaderRoles.Contains(r.Name!))));

    // The same rule in SQL, for the notifier's set-based INSERT … SELECT (user: the alias of an
    // "AspNetUsers" row); its parameters come from Parameters. NotificationTests checks both agree.
    public static string SqlCondition(string user) => $"""
        {user}.disabled_at IS NULL AND ({user}.lockout_end IS NULL OR {user}.lockout_end <= @readers_now)
        AND EXISTS (SELECT 1 FROM "AspNetUserRoles" ur JOIN "AspNetRoles" r ON r.id = ur.role_id
                     WHERE ur.user_id = {user}.id AND r.name = ANY(@reader_roles))
        """;

    public static NpgsqlParameter[] Parameters(DateTimeOffset now) =>
        [new NpgsqlParameter<DateTimeOffset>("readers_now", now), new NpgsqlParameter<string[]>("reader_roles", ReaderRoles)];

    public const int MaxSuggestions = 20;

    // The assignment list on the item page.
    public const int MaxListed = 500;
}
