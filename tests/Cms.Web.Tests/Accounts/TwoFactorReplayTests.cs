using System.Net;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cms.Web.Tests.Accounts;

// RFC 6238: a verifier accepts each authenticator code once, although Identity accepts a code for
// several 30-second steps; the used codes are in PostgreSQL, so a second app instance agrees.
public sealed class TwoFactorReplayTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<(string Email, string Key)> EnrolledAsync()
    {
        var email = $"replay-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Publisher);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        var key = Authenticator.KeyFrom(await (await jar.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync());
        var enable = await jar.PostFormAsync(Factory, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Authenticator.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", enable.Headers.Location!.OriginalString);
        return (email, key);
    }

    // Password, then the code, in a browser of its own (on the given instance).
    private static async Task<HttpResponseMessage> SignInWithCodeAsync(CmsFactory instance, string email, string code)
    {
        var jar = new CookieJar();
        var password = await jar.PostFormAsync(instance, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location!.OriginalString);
        return await jar.PostFormAsync(instance, password.Headers.Location.OriginalString, new Dictionary<string, string> { ["Input.Code"] = code });
    }

    [Fact]
    public async Task An_authenticator_code_signs_in_once_and_a_replay_is_refused_on_every_instance_in_every_spelling()
    {
        var (email, key) = await EnrolledAsync();
        var code = Authenticator.NextCode(key);
        await using var other = new CmsFactory(ConnectionString, publishFolder: Factory.PublishFolder);

        var first = await SignInWithCodeAsync(Factory, email, code);
        var replay = await SignInWithCodeAsync(Factory, email, code);
        var elsewhere = await SignInWithCodeAsync(other, email, code);
        var plus = await SignInWithCodeAsync(Factory, email, "+" + code);
        var zero = await SignInWithCodeAsync(Factory, email, "0" + code);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        foreach (var refused in new[] { replay, elsewhere, plus, zero })
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("Invalid authenticator code.", await refused.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_code_that_confirmed_the_set_up_cannot_sign_in()
    {
        var (email, _) = await EnrolledAsync();
        var userId = Factory.WithDb(db => db.Users.Single(u => u.Email == email).Id);
        var setUpCode = Factory.WithDb(db => db.UsedAuthenticatorCodes.Single(c => c.UserId == userId).Code);

        var replay = await SignInWithCodeAsync(Factory, email, setUpCode);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("Invalid authenticator code.", await replay.Content.ReadAsStringAsync());
    }

    // Identity counts no failure for a wrong recovery code; the holder of the password could guess
    // codes from many addresses with nothing on the account stopping them (PROBE13).
    [Fact]
    public async Task Wrong_recovery_codes_lock_the_account_as_wrong_authenticator_codes_do_and_a_locked_account_redeems_no_code()
    {
        var email = $"recovery-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Publisher);
        var enrol = new CookieJar();
        await enrol.SignInAsync(Factory, email, Password);
        var key = Authenticator.KeyFrom(await (await enrol.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync());
        await enrol.PostFormAsync(Factory, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Authenticator.Code(key) });
        var codes = Html.Parse(await (await enrol.GetAsync(Factory, "/Account/Manage/ShowRecoveryCodes")).Content.ReadAsStringAsync())
            .QuerySelectorAll("#recovery-codes li").Select(li => li.TextContent.Trim()).ToList();
        Assert.NotEmpty(codes);
        var attempts = Factory.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout.MaxFailedAccessAttempts;

        var jar = new CookieJar();
        var password = await jar.PostFormAsync(Factory, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location!.OriginalString);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < attempts + 1; i++)
        {
            answers.Add((await jar.PostFormAsync(Factory, "/Account/LoginWithRecoveryCode", new Dictionary<string, string> { ["Input.Code"] = $"WRONG-{i:D5}" })).StatusCode);
        }
        var account = Factory.WithDb(db => db.Users.Where(u => u.Email == email).Select(u => new { u.AccessFailedCount, u.LockoutEnd }).Single());
        // Locked out, the right code signs in no more than a wrong one (the page again, no redirect).
        var right = await jar.PostFormAsync(Factory, "/Account/LoginWithRecoveryCode", new Dictionary<string, string> { ["Input.Code"] = codes[0] });

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.True(account.LockoutEnd > DateTimeOffset.UtcNow, $"{attempts + 1} wrong recovery codes: {account.AccessFailedCount} failures counted, lockout end {account.LockoutEnd?.ToString("O") ?? "none"}");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }
}
