using System.Net;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// The users pages (one per action) and the own-account rules they set off.
public sealed class UserPagesTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static string Email(string what) => $"{what}-{Guid.NewGuid():N}@example.com";

    private string IdOf(string email) => Factory.WithDb(db => db.Users.Single(u => u.Email == email).Id);

    private async Task<CookieJar> AdminAsync()
    {
        var email = Email("admin");
        await Factory.CreateUserAsync(email, Password, Roles.Admin);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        return jar;
    }

    [Fact]
    public async Task A_user_created_with_a_set_password_link_sets_it_once_and_signs_in()
    {
        var admin = await AdminAsync();
        var email = Email("linked");

        var created = await admin.PostFormAsync(Factory, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.SendLink"] = "true",
            ["Input.Roles"] = Roles.Publisher,
        });
        var html = await created.Content.ReadAsStringAsync();
        var link = Html.Parse(html).One("#set-password-link").GetAttribute("value")!;
        var path = new Uri(link).PathAndQuery;
        Assert.StartsWith("/Account/SetPassword?userId=", path);
        Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(Factory.Browser(), email, "anything at all")).StatusCode);

        var newcomer = new CookieJar();
        var set = await newcomer.PostFormAsync(Factory, path, SetPasswordForm(path, "my very own password"), "/Account/SetPassword");
        var reused = await new CookieJar().PostFormAsync(Factory, path, SetPasswordForm(path, "someone elses password"), "/Account/SetPassword");

        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("This link is not valid", await reused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(Factory.Browser(), email, "my very own password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(Factory.Browser(), email, "someone elses password")).StatusCode);
    }

    [Fact]
    public async Task The_create_form_ticks_no_role_and_one_account_is_counted_in_the_singular()
    {
        var admin = await AdminAsync();
        var email = Email("single");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);

        var form = Html.Parse(await (await admin.GetAsync(Factory, "/Admin/Users/Create")).Content.ReadAsStringAsync());
        var list = await (await admin.GetAsync(Factory, "/Admin/Users?q=" + Uri.EscapeDataString(email))).Content.ReadAsStringAsync();

        Assert.Equal(3, form.QuerySelectorAll("input[name='Input.Roles']").Length);
        Assert.Empty(form.QuerySelectorAll("input[name='Input.Roles'][checked]"));
        Assert.Contains("1 account, page 1 of 1", list);
    }

    [Fact]
    public async Task A_lost_set_password_link_is_replaced_from_the_users_page_and_the_old_one_stops_working()
    {
        var admin = await AdminAsync();
        var email = Email("lost");
        var created = await admin.PostFormAsync(Factory, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.SendLink"] = "true",
            ["Input.Roles"] = Roles.Editor,
        });
        var lost = new Uri(Html.Parse(await created.Content.ReadAsStringAsync()).One("#set-password-link").GetAttribute("value")!).PathAndQuery;
        var list = Html.Parse(await (await admin.GetAsync(Factory, "/Admin/Users?q=" + Uri.EscapeDataString(email))).Content.ReadAsStringAsync());
        var action = list.QuerySelectorAll("a").Single(a => a.TextContent == "new set-password link").GetAttribute("href")!;

        var reissued = await admin.PostFormAsync(Factory, action, new Dictionary<string, string>());
        var fresh = new Uri(Html.Parse(await reissued.Content.ReadAsStringAsync()).One("#set-password-link").GetAttribute("value")!).PathAndQuery;
        var old = await new CookieJar().PostFormAsync(Factory, lost, SetPasswordForm(lost, "the lost link's password"), "/Account/SetPassword");
        var set = await new CookieJar().PostFormAsync(Factory, fresh, SetPasswordForm(fresh, "the new link's password"), "/Account/SetPassword");

        Assert.Equal(HttpStatusCode.OK, reissued.StatusCode);
        Assert.NotEqual(lost, fresh);
        Assert.Contains("This link is not valid", await old.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(Factory.Browser(), email, "the new link's password")).StatusCode);
        var id = IdOf(email);
        Assert.Equal(2, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == Cms.Core.Auditing.AuditActions.UserSetPasswordLinkIssued && a.EntityId == id)));
    }

    private static Dictionary<string, string> SetPasswordForm(string path, string password)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + path).Query);
        return new()
        {
            ["Input.UserId"] = query["userId"]!,
            ["Input.Token"] = query["token"]!,
            ["Input.Password"] = password,
            ["Input.Confirm"] = password,
        };
    }

    [Fact]
    public async Task A_forced_password_change_holds_the_person_on_the_change_page_until_done()
    {
        var admin = await AdminAsync();
        var email = Email("forced");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync(Factory, $"/Admin/Users/ForcePasswordChange?id={IdOf(email)}", new Dictionary<string, string>())).StatusCode);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);

        var held = await jar.GetAsync(Factory, "/");
        var change = await jar.PostFormAsync(Factory, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Password,
            ["Input.NewPassword"] = "a fresh password now",
            ["Input.ConfirmPassword"] = "a fresh password now",
        });
        var free = await jar.GetAsync(Factory, "/");

        Assert.Equal("/Account/Manage/ChangePassword", held.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        Assert.False(Factory.WithDb(db => db.Users.Single(u => u.Email == email).MustChangePassword));
    }

    [Fact]
    public async Task The_list_shows_roles_status_and_two_factor_with_search_and_paging()
    {
        var admin = await AdminAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 55; i++)
        {
            await Factory.CreateUserAsync($"paged-{tag}-{i:D2}@example.com", Password, Roles.Editor);
        }
        var disabled = $"paged-{tag}-00@example.com";
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostFormAsync(Factory, $"/Admin/Users/Disable?id={IdOf(disabled)}", new Dictionary<string, string>())).StatusCode);

        var first = await (await admin.GetAsync(Factory, $"/Admin/Users?q={tag}")).Content.ReadAsStringAsync();
        var second = await (await admin.GetAsync(Factory, $"/Admin/Users?q={tag}&p=2")).Content.ReadAsStringAsync();

        Assert.Contains("55 accounts, page 1 of 2", first);
        List<List<string>> Rows(string html) => Html.Parse(html).QuerySelectorAll("tbody tr").Select(r => r.Cells()).ToList();
        Assert.Equal(50, Rows(first).Count(r => r[0].StartsWith($"paged-{tag}-", StringComparison.Ordinal)));
        Assert.Equal(5, Rows(second).Count(r => r[0].StartsWith($"paged-{tag}-", StringComparison.Ordinal)));
        Assert.Contains(Rows(first), r => r.Take(5).SequenceEqual([disabled, "Editor", "never", "disabled", "off"]));
    }

    [Fact]
    public async Task Resetting_two_factor_lets_the_account_sign_in_by_password_again()
    {
        var admin = await AdminAsync();
        var email = Email("lostphone");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        var key = Authenticator.KeyFrom(await (await jar.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync());
        await jar.PostFormAsync(Factory, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Authenticator.Code(key) });
        var before = await new CookieJar().PostFormAsync(Factory, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });

        var reset = await admin.PostFormAsync(Factory, $"/Admin/Users/ResetTwoFactor?id={IdOf(email)}", new Dictionary<string, string>());
        var after = await new CookieJar().PostFormAsync(Factory, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = Password });

        Assert.StartsWith("/Account/LoginWith2fa", before.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal("/", after.Headers.Location!.OriginalString);
        Assert.False(await jar.IsSignedInAsync(Factory));
    }

    [Fact]
    public async Task The_enrolment_page_draws_the_qr_code_on_the_server_without_script_or_data_uri()
    {
        var email = Email("qr");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);

        var html = await (await jar.GetAsync(Factory, "/Account/Manage/EnableAuthenticator")).Content.ReadAsStringAsync();

        var qr = Html.Parse(html).One("div#qr-code");
        var drawing = Assert.Single(qr.Children);
        Assert.Equal(("svg", "http://www.w3.org/2000/svg"), (drawing.LocalName, drawing.GetAttribute("xmlns")));
        Assert.StartsWith("M", drawing.One("path").GetAttribute("d"));
        var svg = qr.InnerHtml;
        Assert.DoesNotContain("style=", svg);
        Assert.DoesNotContain("data:", html);
        Assert.DoesNotContain("<script>", html);
    }
}
