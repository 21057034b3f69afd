using System.Globalization;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// Identity's authenticator check (RFC 6238: 30-second steps, accepted up to two steps either side),
// plus what RFC 6238 asks of a verifier: a code works once. A code that passed is remembered in
// PostgreSQL (used_authenticator_codes) for as long as Identity would still accept it, so a code
// seen over a shoulder or replayed against another instance is refused.
public sealed class OneTimeAuthenticatorTokenProvider(CmsDbContext db) : AuthenticatorTokenProvider<CmsUser>
{
    // Longer than the five steps (150 s) Identity accepts a code for, with room for clock drift.
    public static readonly TimeSpan Remembered = TimeSpan.FromMinutes(5);

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<CmsUser> manager, CmsUser user)
    {
        // Identity compares the code as a number, so "+123456" and "0123456" are "123456": the
        // remembered form is that number, or a different spelling would pass as a new code.
        if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            || !await base.ValidateAsync(purpose, token, manager, user))
        {
            return false;
        }
        return await UseOnceAsync(user.Id, code.ToString("D6", CultureInfo.InvariantCulture));
    }

    // One statement: forgets this user's expired codes and records this one unless it was used
    // within the window. Two requests with one code at once: the second waits for the first's row
    // and then finds it fresh.
    private async Task<bool> UseOnceAsync(string userId, string code)
    {
        var window = Remembered;
        var accepted = await db.Database.SqlQuery<int>($"""
            WITH expired AS (
                DELETE FROM used_authenticator_codes WHERE user_id = {userId} AND used_at < now() - {window} AND code <> {code})
            INSERT INTO used_authenticator_codes AS u (user_id, code, used_at) VALUES ({userId}, {code}, now())
            ON CONFLICT (user_id, code) DO UPDATE SET used_at = now() WHERE u.used_at < now() - {window}
            RETURNING 1 AS "Value"
            """).ToListAsync();
        return accepted.Count == 1;
    }
}
