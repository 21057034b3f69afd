using System.Net;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

// The tests share one database: each uses accounts of its own and counts only their audit events.
public sealed class AuthorizationTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task An_editor_is_denied_the_user_admin_pages()
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await editor.GetAsync("/Admin/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
    }

    // The layout writes its menu as plain addresses (no tag helper routing per link): each must be
    // the page it names, and the account link and sign-out form must reach theirs.
    [Fact]
    public async Task The_menu_of_an_admin_links_every_page_it_names_and_each_opens()
    {
        var admin = await SignedInAsync(Roles.Admin);

        var page = await admin.GetStringAsync("/");

        var menu = System.Text.RegularExpressions.Regex.Matches(page, "<a class=\"nav-link\"(?: id=\"inbox-link\")? href=\"([^\"]+)\">([A-Za-z ]+)")
            .Select(m => (m.Groups[2].Value.Trim(), m.Groups[1].Value)).ToList();
        Assert.Equal(
            [("Queue", "/"), ("Inbox", "/Inbox"), ("Import", "/Import"), ("Topics", "/Topics"), ("Broken links", "/Links/Broken"),
             ("Audit", "/Audit"), ("Users", "/Admin/Users"), ("Delivery", "/Admin/Delivery/Sites")],
            menu);
        Assert.Contains("<a class=\"navbar-brand\" href=\"/\">Cms</a>", page);
        Assert.Contains("<a class=\"navbar-text small\" title=\"Your account\" href=\"/Account/Manage\">", page);
        Assert.Contains("<form method=\"post\" class=\"d-flex align-items-center gap-2\" action=\"/Account/Logout\">", page);
        Assert.Contains("<a class=\"btn btn-sm btn-link\" id=\"manage-views\" href=\"/Views\">", page);
        foreach (var href in menu.Select(m => m.Item2).Append("/Account/Manage").Append("/Views"))
        {
            Assert.Equal((href, HttpStatusCode.OK), (href, (await admin.GetAsync(href)).StatusCode));
        }
    }

    [Fact]
    public async Task An_admin_creates_a_user_with_a_role_and_the_change_is_audited()
    {
        var admin = await SignedInAsync(Roles.Admin);

        var response = await Http.PostFormAsync(admin, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = "new.editor@example.com",
            ["Input.Password"] = "twelve chars ok",
            ["Input.Roles"] = Roles.Editor,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await admin.GetStringAsync("/Admin/Users");
        Assert.Contains("new.editor@example.com", page);
        Assert.Contains("Created new.editor@example.com as Editor.", page);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "user.created").AsEnumerable().Count(a => a.Data!.Contains("new.editor@example.com"))));
    }

    [Fact]
    public async Task A_password_shorter_than_twelve_characters_is_refused_without_composition_rules()
    {
        var admin = await SignedInAsync(Roles.Admin);

        var shortOne = await Http.PostFormAsync(admin, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = "short@example.com",
            ["Input.Password"] = "elevenchars",
            ["Input.Roles"] = Roles.Editor,
        });
        var lowercaseOnly = await Http.PostFormAsync(admin, "/Admin/Users/Create", new Dictionary<string, string>
        {
            ["Input.Email"] = "plain@example.com",
            ["Input.Password"] = "alllowercaseletters",
            ["Input.Roles"] = Roles.Editor,
        });

        Assert.Equal(HttpStatusCode.OK, shortOne.StatusCode);
        Assert.Contains("at least 12 characters", await shortOne.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, lowercaseOnly.StatusCode);
        Assert.False(Factory.WithDb(db => db.Users.Any(u => u.Email == "short@example.com")));
    }

    [Fact]
    public async Task A_page_without_its_own_rule_still_requires_sign_in()
    {
        var response = await Factory.Browser().GetAsync("/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
    }

    private string UserId(string email) => Factory.WithDb(db => db.Users.Single(u => u.Email == email).Id);

    [Fact]
    public async Task An_admin_changes_a_role_and_the_account_gets_the_new_permissions()
    {
        var admin = await SignedInAsync(Roles.Admin);
        await Factory.CreateUserAsync("promoted@example.com", Password, Roles.Editor);

        var response = await Http.PostFormAsync(admin, $"/Admin/Users/Roles?id={UserId("promoted@example.com")}", new Dictionary<string, string>
        {
            ["Selected"] = Roles.Publisher,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var promoted = Factory.Browser();
        await Http.SignInAsync(promoted, "promoted@example.com", Password);
        Assert.Equal(HttpStatusCode.OK, (await promoted.GetAsync("/Topics")).StatusCode);
        var promotedId = UserId("promoted@example.com");
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "user.role-changed" && a.EntityId == promotedId)));
    }

    [Fact]
    public async Task An_admin_unlocks_a_locked_out_account()
    {
        await Factory.CreateUserAsync("unlucky@example.com", Password, Roles.Editor);
        for (var i = 0; i < 5; i++)
        {
            await Http.SignInAsync(Factory.Browser(), "unlucky@example.com", "wrong password " + i);
        }
        Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(Factory.Browser(), "unlucky@example.com", Password)).StatusCode);
        var admin = await SignedInAsync(Roles.Admin);

        var response = await Http.PostFormAsync(admin, $"/Admin/Users/Unlock?id={UserId("unlucky@example.com")}", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(Factory.Browser(), "unlucky@example.com", Password)).StatusCode);
        var unluckyId = UserId("unlucky@example.com");
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "user.unlocked" && a.EntityId == unluckyId)));
    }
}

// "The last admin" needs a database where the signed-in admin is the only one, so this test has
// a database of its own (the other authorization tests sign in admins of their own).
public sealed class LastAdminTests : WebTest
{
    [Fact]
    public async Task The_last_admin_cannot_be_demoted()
    {
        var admin = await SignedInAsync(Roles.Admin);
        var adminId = Factory.WithDb(db => db.UserRoles.Single(r => r.RoleId == db.Roles.Single(x => x.Name == Roles.Admin).Id).UserId);

        var response = await Http.PostFormAsync(admin, $"/Admin/Users/Roles?id={adminId}", new Dictionary<string, string>
        {
            ["Selected"] = Roles.Editor,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("is the last active admin", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Factory.WithDb(db => db.UserRoles.Count(r => r.RoleId == db.Roles.Single(x => x.Name == Roles.Admin).Id)));
    }
}
