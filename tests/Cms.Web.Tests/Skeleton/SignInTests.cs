using System.Net;
using Cms.Data;
using Cms.Web.Pages.Account;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

// The tests share one database: each signs in with an account of its own.
public sealed class SignInTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task Anonymous_home_redirects_to_the_sign_in_page()
    {
        var response = await Factory.Browser().GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_admin_signs_in_and_gets_the_home_page()
    {
        await Factory.CreateUserAsync("boss@example.com", Password, Roles.Admin);
        var client = Factory.Browser();

        var signIn = await Http.SignInAsync(client, "boss@example.com", Password);
        var home = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Review queue", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_that_client_and_the_right_one_is_then_refused()
    {
        await Factory.CreateUserAsync("locked@example.com", Password, Roles.Editor);
        var client = Factory.Browser();

        for (var i = 0; i < 5; i++)
        {
            var wrong = await Http.SignInAsync(client, "locked@example.com", "not the password " + i);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }
        var right = await Http.SignInAsync(client, "locked@example.com", Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains(LoginModel.FailureMessage, await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
        // The lock is this client's (TestServer reports no address: "unknown"), not the account's.
        var lockedUntil = Factory.WithDb(db => db.SignInThrottles.Single(t => t.Account == "LOCKED@EXAMPLE.COM").LockedUntil);
        Assert.True(lockedUntil > DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Null(Factory.WithDb(db => db.Users.Single(u => u.Email == "locked@example.com").LockoutEnd));
    }

    [Fact]
    public async Task Sign_in_failure_reads_the_same_for_an_unknown_account_and_a_wrong_password()
    {
        await Factory.CreateUserAsync("known@example.com", Password, Roles.Editor);

        var unknown = await (await Http.SignInAsync(Factory.Browser(), "nobody@example.com", Password)).Content.ReadAsStringAsync();
        var wrong = await (await Http.SignInAsync(Factory.Browser(), "known@example.com", "wrong password!!")).Content.ReadAsStringAsync();

        Assert.Contains(LoginModel.FailureMessage, unknown);
        Assert.Contains(LoginModel.FailureMessage, wrong);
        Assert.DoesNotContain("locked", unknown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not found", unknown, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_post_without_an_antiforgery_token_is_refused()
    {
        await Factory.CreateUserAsync("csrf@example.com", Password, Roles.Editor);
        var client = Factory.Browser();
        await client.GetAsync("/Account/Login");

        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "csrf@example.com",
            ["Input.Password"] = Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_cookie_issued_by_one_instance_works_on_a_second_instance_on_the_same_database()
    {
        await Factory.CreateUserAsync("shared@example.com", Password, Roles.Editor);
        var cookie = await Http.SignInForCookieAsync(Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }), "shared@example.com", Password);

        await using var second = new CmsFactory(ConnectionString);
        var onSecond = await Http.GetWithCookieAsync(second, "/", cookie);

        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        // An instance on another database has another key ring and must not accept it.
        var elsewhere = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using var stranger = new CmsFactory(elsewhere);
            Assert.Equal(HttpStatusCode.Redirect, (await Http.GetWithCookieAsync(stranger, "/", cookie)).StatusCode);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(elsewhere);
        }
    }
}
