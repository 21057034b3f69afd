using System.Net;
using Cms.Application;
using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Accounts;

// Two app instances on one database: a change on one ends the sessions that the other serves, at
// the very next request.
public sealed class TwoInstancesFixture : AppFixture
{
    private CmsFactory? _second;

    public CmsFactory Second => _second ?? throw new InvalidOperationException("not initialized");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _second = new CmsFactory(ConnectionString);
        _ = _second.Services;
    }

    public override async Task DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

public sealed class SessionRevocationTests(TwoInstancesFixture app) : WebTest(app), IClassFixture<TwoInstancesFixture>
{
    private CmsFactory Second => app.Second;

    private async Task<(string Email, string Id, CookieJar Jar)> SignedInOnBothAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, role);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        Assert.True(await jar.IsSignedInAsync(Factory));
        Assert.True(await jar.IsSignedInAsync(Second), "a cookie from the first instance works on the second");
        return (email, user.Id, jar);
    }

    private async Task<CookieJar> AdminAsync()
    {
        var (_, _, jar) = await SignedInOnBothAsync(Roles.Admin);
        return jar;
    }

    [Fact]
    public async Task After_a_role_change_the_old_cookie_is_refused_on_the_next_request_on_the_second_instance()
    {
        var (_, id, victim) = await SignedInOnBothAsync(Roles.Publisher);
        var admin = await AdminAsync();

        var change = await admin.PostFormAsync(Factory, $"/Admin/Users/Roles?id={id}", new Dictionary<string, string> { ["Selected"] = Roles.Editor });

        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.False(await victim.IsSignedInAsync(Second));
        Assert.Equal(HttpStatusCode.Redirect, (await victim.GetAsync(Second, "/Topics")).StatusCode);
    }

    [Fact]
    public async Task After_a_disable_the_old_cookie_is_refused_on_the_second_instance_and_the_password_no_longer_signs_in()
    {
        var (email, id, victim) = await SignedInOnBothAsync(Roles.Editor);
        var admin = await AdminAsync();

        var disable = await admin.PostFormAsync(Second, $"/Admin/Users/Disable?id={id}", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        Assert.False(await victim.IsSignedInAsync(Second));
        Assert.False(await victim.IsSignedInAsync(Factory));
        var again = await Http.SignInAsync(Factory.Browser(), email, Password);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task After_a_password_change_every_other_session_is_refused_and_the_changing_browser_stays_signed_in()
    {
        var (email, _, first) = await SignedInOnBothAsync(Roles.Editor);
        var second = new CookieJar();
        await second.SignInAsync(Second, email, Password);

        var change = await first.PostFormAsync(Factory, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Password,
            ["Input.NewPassword"] = "a brand new password",
            ["Input.ConfirmPassword"] = "a brand new password",
        });

        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.False(await second.IsSignedInAsync(Second));
        Assert.True(await first.IsSignedInAsync(Second));
        Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(Factory.Browser(), email, Password)).StatusCode);
    }

    [Fact]
    public async Task After_sign_out_a_copy_of_the_cookie_is_refused()
    {
        var (_, _, jar) = await SignedInOnBothAsync(Roles.Editor);
        var stolen = jar.Copy();

        var signOut = await jar.PostFormAsync(Factory, "/Account/Manage", new Dictionary<string, string>(), "/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False(await stolen.IsSignedInAsync(Factory));
        Assert.False(await stolen.IsSignedInAsync(Second));
    }

    [Fact]
    public async Task A_demoted_admin_cannot_use_an_open_form_to_make_themselves_admin_again()
    {
        var (_, id, demoted) = await SignedInOnBothAsync(Roles.Admin);
        var other = await AdminAsync();
        // The demoted admin has the role form open, token and all, before the demotion.
        var form = await demoted.GetAsync(Second, $"/Admin/Users/Roles?id={id}");
        var token = Http.AntiforgeryToken(await form.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await other.PostFormAsync(Factory, $"/Admin/Users/Roles?id={id}", new Dictionary<string, string> { ["Selected"] = Roles.Editor })).StatusCode);

        var promote = await demoted.SendAsync(Second, new HttpRequestMessage(HttpMethod.Post, $"/Admin/Users/Roles?id={id}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Selected"] = Roles.Admin, ["__RequestVerificationToken"] = token }),
        });

        Assert.Equal(HttpStatusCode.Redirect, promote.StatusCode);
        Assert.StartsWith("/Account/Login", promote.Headers.Location!.PathAndQuery);
        var roles = Factory.WithDb(db => db.UserRoles.Where(r => r.UserId == id).Join(db.Roles, r => r.RoleId, x => x.Id, (_, x) => x.Name).ToList());
        Assert.Equal([Roles.Editor], roles);
    }

    [Fact]
    public async Task A_person_sees_their_sessions_and_ends_one_of_them()
    {
        var (email, id, laptop) = await SignedInOnBothAsync(Roles.Editor);
        var phone = new CookieJar();
        await phone.SignInAsync(Second, email, Password);
        var sessionIds = Factory.WithDb(db => db.UserSessions.Where(s => s.UserId == id).OrderBy(s => s.CreatedAt).Select(s => s.Id).ToList());
        Assert.Equal(2, sessionIds.Count);

        var list = await (await laptop.GetAsync(Factory, "/Account/Manage/Sessions")).Content.ReadAsStringAsync();
        var end = await laptop.PostFormAsync(Factory, "/Account/Manage/Sessions", new Dictionary<string, string>(), $"/Account/Manage/Sessions?handler=End&sessionId={Uri.EscapeDataString(sessionIds[1])}");

        Assert.Equal(2, Html.Parse(list).QuerySelectorAll("form[action*='handler=End']").Length);
        Assert.Equal(HttpStatusCode.Redirect, end.StatusCode);
        Assert.False(await phone.IsSignedInAsync(Second));
        Assert.True(await laptop.IsSignedInAsync(Second));
        var ended = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == id));
        Assert.Equal(email, ended.Actor);
    }

    [Fact]
    public async Task Nobody_can_end_another_persons_session_and_the_attempt_is_audited()
    {
        var (_, victimId, victim) = await SignedInOnBothAsync(Roles.Editor);
        var (attackerEmail, _, attacker) = await SignedInOnBothAsync(Roles.Editor);
        var victimSession = Factory.WithDb(db => db.UserSessions.Single(s => s.UserId == victimId).Id);

        var end = await attacker.PostFormAsync(Factory, "/Account/Manage/Sessions", new Dictionary<string, string>(), $"/Account/Manage/Sessions?handler=End&sessionId={Uri.EscapeDataString(victimSession)}");

        // A handler's refusal is the 403 page with its reason (OutcomeAnswers), not a redirect.
        Assert.Equal(HttpStatusCode.Forbidden, end.StatusCode);
        Assert.Contains("You can end only your own sessions.", await end.Content.ReadAsStringAsync());
        Assert.True(await victim.IsSignedInAsync(Second));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == attackerEmail && a.EntityId == victimId)));
    }

    [Fact]
    public async Task An_admin_ends_all_sessions_of_an_account()
    {
        var (email, id, victim) = await SignedInOnBothAsync(Roles.Publisher);
        var admin = await AdminAsync();

        var page = await (await admin.GetAsync(Factory, $"/Admin/Users/Sessions?id={id}")).Content.ReadAsStringAsync();
        var end = await admin.PostFormAsync(Factory, $"/Admin/Users/Sessions?id={id}", new Dictionary<string, string>());

        Assert.Contains(email, page);
        Assert.Equal(HttpStatusCode.Redirect, end.StatusCode);
        Assert.False(await victim.IsSignedInAsync(Second));
    }

    [Theory]
    [InlineData("Roles", "An administrator changed your roles; sign in again to go on.")]
    [InlineData("Lock", "Your account was locked by an administrator.")]
    [InlineData("Disable", "Your account was disabled by an administrator.")]
    [InlineData("ForcePasswordChange", "An administrator asked you to change your password; sign in to choose a new one.")]
    [InlineData("ResetTwoFactor", "An administrator reset your two-factor sign-in; sign in to set it up again.")]
    [InlineData("Sessions", "An administrator signed you out.")]
    public async Task A_session_an_admin_ends_lands_on_the_sign_in_page_saying_why(string action, string reason)
    {
        var (_, id, victim) = await SignedInOnBothAsync(Roles.Publisher);
        var admin = await AdminAsync();

        var done = await admin.PostFormAsync(Factory, $"/Admin/Users/{action}?id={id}",
            action == "Roles" ? new Dictionary<string, string> { ["Selected"] = Roles.Editor } : new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(reason, await victim.SignedOutReasonAsync(Second));
    }

    [Fact]
    public async Task A_password_reset_from_the_command_line_and_a_change_in_another_session_each_say_why()
    {
        var (email, _, reset) = await SignedInOnBothAsync(Roles.Editor);
        var (otherEmail, _, changing) = await SignedInOnBothAsync(Roles.Editor);
        var elsewhere = new CookieJar();
        await elsewhere.SignInAsync(Second, otherEmail, Password);

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<UserAdministration>().ResetPasswordAsync(Actor.CommandLine(), email, "another good password", null, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Result.Message);
        }
        var change = await changing.PostFormAsync(Factory, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Password,
            ["Input.NewPassword"] = "a brand new password",
            ["Input.ConfirmPassword"] = "a brand new password",
        });

        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.Equal("Your password was reset by an administrator.", await reset.SignedOutReasonAsync(Second));
        Assert.Equal("Your password was changed in another session; sign in with the new one.", await elsewhere.SignedOutReasonAsync(Second));
    }

    [Fact]
    public async Task A_person_who_signs_out_or_ends_a_session_themselves_is_told_nothing_or_that_they_did()
    {
        var (email, _, laptop) = await SignedInOnBothAsync(Roles.Editor);
        var phone = new CookieJar();
        await phone.SignInAsync(Second, email, Password);
        var phoneSession = Factory.WithDb(db => db.UserSessions.OrderByDescending(s => s.CreatedAt).First(s => s.UserId == db.Users.Single(u => u.Email == email).Id).Id);
        var stolen = laptop.Copy();

        await laptop.PostFormAsync(Factory, "/Account/Manage/Sessions", new Dictionary<string, string>(), $"/Account/Manage/Sessions?handler=End&sessionId={Uri.EscapeDataString(phoneSession)}");
        await laptop.PostFormAsync(Factory, "/Account/Manage", new Dictionary<string, string>(), "/Account/Logout");

        Assert.Equal("You ended this session from another one.", await phone.SignedOutReasonAsync(Second));
        Assert.Null(await stolen.SignedOutReasonAsync(Second));
    }
}
