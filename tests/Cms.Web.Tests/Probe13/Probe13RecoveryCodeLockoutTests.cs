using System.Net;
using Cms.Web.Tests.Accounts;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cms.Web.Tests.Probe13;

// PROBE13 evidence: README says wrong second-factor codes use Identity's lockout on the account.
// Authenticator codes do; recovery codes do not: Identity's TwoFactorRecoveryCodeSignInAsync never
// counts a failure ("codes are expected to be random"), and the recovery-code POST has no account
// name for the per-account limit either, so a holder of the password may guess recovery codes from
// as many addresses as they have, with nothing on the account ever stopping them.
public sealed class Probe13RecoveryCodeLockoutTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task Wrong_recovery_codes_lock_the_account_as_wrong_authenticator_codes_do()
    {
        var email = $"probe13-recovery-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Publisher);
        var enrol = new CookieJar();
        await enrol.SignInAsync(Factory, email, Password);
        var key = Authenticator.KeyFrom(await (await enrol.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync());
        var enable = await enrol.PostFormAsync(Factory, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Authenticator.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", enable.Headers.Location!.OriginalString);
        var attempts = Factory.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout.MaxFailedAccessAttempts;

        var jar = new CookieJar();
        var password = await jar.PostFormAsync(Factory, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location!.OriginalString);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < attempts + 1; i++)
        {
            var wrong = await jar.PostFormAsync(Factory, "/Account/LoginWithRecoveryCode", new Dictionary<string, string> { ["Input.Code"] = $"WRONG-{i:D5}" });
            answers.Add(wrong.StatusCode);
        }
        var account = Factory.WithDb(db => db.Users.Where(u => u.Email == email).Select(u => new { u.AccessFailedCount, u.LockoutEnd }).Single());

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        // Observed: AccessFailedCount 0, LockoutEnd null after MaxFailedAccessAttempts + 1 wrong codes.
        Assert.True(account.LockoutEnd > DateTimeOffset.UtcNow, $"{attempts + 1} wrong recovery codes: {account.AccessFailedCount} failures counted, lockout end {account.LockoutEnd?.ToString("O") ?? "none"}");
    }
}
