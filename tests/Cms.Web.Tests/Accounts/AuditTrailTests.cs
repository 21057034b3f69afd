using System.Net;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Accounts;

// Every account event lands in the audit trail with who did it (point 7 of the accounts issue).
public sealed class AuditTrailTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private sealed record Event(string Actor, string Action, string? EntityId, string? Data);

    private List<Event> EventsAbout(string userId) => Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == userId).OrderBy(a => a.Id)
        .Select(a => new { a.Actor, a.Action, a.EntityId, a.Data }).AsEnumerable().Select(a => new Event(a.Actor, a.Action, a.EntityId, a.Data)).ToList());

    private string IdOf(string email) => Factory.WithDb(db => db.Users.Single(u => u.Email == email).Id);

    private static string Email(string what) => $"{what}-{Guid.NewGuid():N}@example.com";

    private async Task<(string Email, CookieJar Jar)> AdminAsync()
    {
        var email = Email("admin");
        await Factory.CreateUserAsync(email, Password, Roles.Admin);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        return (email, jar);
    }

    [Fact]
    public async Task Sign_in_success_failure_with_the_attempted_name_lockout_and_sign_out_are_audited()
    {
        var email = Email("person");
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var ghost = Email("ghost");

        await Http.SignInAsync(Factory.Browser(), ghost, "whatever it is");
        for (var i = 0; i < 5; i++)
        {
            await Http.SignInAsync(Factory.Browser(), email, "wrong password " + i);
        }
        // The lock is this client's; lift it as an admin's unlock would.
        Factory.WithDb(db => db.SignInThrottles.Where(t => t.Account == email.ToUpperInvariant()).ExecuteDelete());
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        await jar.PostFormAsync(Factory, "/Account/Manage", new Dictionary<string, string>(), "/Account/Logout");

        var ghostEvent = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.SignInFailed).AsEnumerable().Single(a => a.Data!.Contains(ghost)));
        Assert.Equal("anonymous", ghostEvent.Actor);
        Assert.Null(ghostEvent.EntityId);
        var events = EventsAbout(user.Id);
        Assert.Equal(5, events.Count(e => e.Action == AuditActions.SignInFailed && e.Data!.Contains(email) && e.Data.Contains("wrong password")));
        Assert.Single(events, e => e.Action == AuditActions.SignInLockedOut);
        Assert.Single(events, e => e.Action == AuditActions.SignInSucceeded && e.Actor == email);
        Assert.Single(events, e => e.Action == AuditActions.SignedOut && e.Actor == email);
    }

    [Fact]
    public async Task Two_factor_set_up_success_failure_and_recovery_codes_are_audited()
    {
        var email = Email("twofactor");
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        var key = Authenticator.KeyFrom(await (await jar.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync());
        var enable = await jar.PostFormAsync(Factory, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Authenticator.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", enable.Headers.Location!.OriginalString);

        var again = new CookieJar();
        var password = await again.PostFormAsync(Factory, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location!.OriginalString);
        var wrong = await again.PostFormAsync(Factory, password.Headers.Location.OriginalString, new Dictionary<string, string> { ["Input.Code"] = Authenticator.WrongCode(key) });
        var right = await again.PostFormAsync(Factory, password.Headers.Location.OriginalString, new Dictionary<string, string> { ["Input.Code"] = Authenticator.NextCode(key) });

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.True(await again.IsSignedInAsync(Factory));
        var actions = EventsAbout(user.Id).Select(e => e.Action).ToList();
        Assert.Contains(AuditActions.UserTwoFactorEnabled, actions);
        Assert.Contains(AuditActions.UserRecoveryCodesGenerated, actions);
        Assert.Contains(AuditActions.SignInTwoFactorFailed, actions);
        Assert.Contains(AuditActions.SignInTwoFactorSucceeded, actions);
        // The password alone did not count as a sign-in: one for the set-up session, one after the code.
        Assert.Equal(2, actions.Count(a => a == AuditActions.SignInSucceeded));
    }

    [Fact]
    public async Task Every_user_change_and_session_end_names_the_admin_who_made_it()
    {
        var (adminEmail, admin) = await AdminAsync();
        var email = Email("managed");
        var created = await admin.PostFormAsync(Factory, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "an initial password",
            ["Input.Roles"] = Roles.Editor,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = IdOf(email);
        var person = new CookieJar();
        await person.SignInAsync(Factory, email, "an initial password");

        foreach (var (page, fields) in new (string, Dictionary<string, string>)[]
        {
            ("Roles", new() { ["Selected"] = Roles.Publisher }),
            ("Lock", new()),
            ("Unlock", new()),
            ("Disable", new()),
            ("Enable", new()),
            ("ForcePasswordChange", new()),
            ("ResetTwoFactor", new()),
            ("Sessions", new()),
        })
        {
            var response = await admin.PostFormAsync(Factory, $"/Admin/Users/{page}?id={id}", fields);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{page}: {(int)response.StatusCode}");
        }

        var events = EventsAbout(id);
        foreach (var action in new[]
        {
            AuditActions.UserCreated, AuditActions.UserRoleChanged, AuditActions.UserLocked, AuditActions.UserUnlocked, AuditActions.UserDisabled,
            AuditActions.UserEnabled, AuditActions.UserPasswordChangeForced, AuditActions.UserTwoFactorReset, AuditActions.SessionEnded,
        })
        {
            Assert.Contains(events, e => e.Action == action && e.Actor == adminEmail);
        }
        var sessionEnd = events.First(e => e.Action == AuditActions.SessionEnded);
        Assert.Contains(adminEmail, sessionEnd.Data);
        Assert.Contains("roles changed", sessionEnd.Data);
    }

    [Fact]
    public async Task A_signed_in_person_refused_by_a_page_policy_is_audited()
    {
        var email = Email("editor");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);

        var response = await jar.GetAsync(Factory, "/Admin/Users/Create");
        var anonymous = await new CookieJar().GetAsync(Factory, "/Topics");

        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.PathAndQuery);
        var refused = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == email).Select(a => a.Data).ToList());
        Assert.Single(refused);
        Assert.Contains("GET /Admin/Users/Create", refused[0]);
        Assert.Equal(0, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "anonymous")));
    }
}
