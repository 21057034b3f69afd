using System.Net;
using System.Text;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Accounts;

// `./cms users ...` as a process, on the database of this class's app, so the pages and the
// command line are seen to share one set of rules and one audit trail.
public sealed class UsersCommandTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static string Email(string what) => $"{what}-{Guid.NewGuid():N}@example.com";

    private async Task<(int Exit, string Output, string Errors)> CmsAsync(string? stdin, params string[] args) =>
        await Repo.RunCmsWithInputAsync(new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString }, stdin, args);

    private async Task<bool> PasswordWorksAsync(string email, string password)
    {
        using var scope = Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
        return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password);
    }

    private string IdOf(string email) => Factory.WithDb(db => db.Users.Single(u => u.Email == email).Id);

    [Fact]
    public async Task Add_with_password_stdin_then_list_set_roles_and_reset_password_from_stdin()
    {
        var email = Email("cli");

        var add = await CmsAsync("a password from stdin", "users", "add", email, "--role", Roles.Editor, "--password-stdin");
        var setRoles = await CmsAsync(null, "users", "set-roles", email, Roles.Publisher, Roles.Editor);
        var list = await CmsAsync(null, "users", "list", "--search", email);
        var reset = await CmsAsync("the next password here", "users", "reset-password", email, "--password-stdin");

        Assert.True(add.Exit == 0, add.Errors);
        Assert.DoesNotContain("a password from stdin", add.Output);
        Assert.Equal(0, setRoles.Exit);
        Assert.Contains($"{email}\tEditor,Publisher\tactive\t2fa:off\tnever", list.Output);
        Assert.Equal(0, reset.Exit);
        Assert.True(await PasswordWorksAsync(email, "the next password here"));
        Assert.False(await PasswordWorksAsync(email, "a password from stdin"));
        var actors = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == db.Users.Single(u => u.Email == email).Id).Select(a => a.Actor).ToList());
        Assert.Equal(3, actors.Count(a => a == $"cli:{Environment.UserName}"));
    }

    [Fact]
    public async Task Reset_password_prints_a_new_one_the_old_is_refused_and_the_sessions_end()
    {
        var email = Email("reset");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);

        var reset = await CmsAsync(null, "users", "reset-password", email);

        Assert.True(reset.Exit == 0, reset.Errors);
        var password = reset.Output.Trim().Split(' ')[^1];
        Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(Factory.Browser(), email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(Factory.Browser(), email, password)).StatusCode);
        Assert.False(await jar.IsSignedInAsync(Factory));
    }

    [Fact]
    public async Task Lock_unlock_disable_enable_and_end_all_sessions_from_the_command_line()
    {
        var email = Email("states");
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        var before = DateTimeOffset.UtcNow;
        await jar.SignInAsync(Factory, email, Password);
        var sessions = await CmsAsync(null, "users", "sessions", email);
        var after = DateTimeOffset.UtcNow;

        var endAll = await CmsAsync(null, "users", "sessions", email, "--end-all");
        var locked = await CmsAsync(null, "users", "lock", email);
        var refusedWhileLocked = await Http.SignInAsync(Factory.Browser(), email, Password);
        var unlocked = await CmsAsync(null, "users", "unlock", email);
        var disabled = await CmsAsync(null, "users", "disable", email);
        var refusedWhileDisabled = await Http.SignInAsync(Factory.Browser(), email, Password);
        var enabled = await CmsAsync(null, "users", "enable", email);

        Assert.Single(sessions.Output.Trim().Split('\n'));
        // The session's day (the test may run across midnight).
        Assert.Contains(sessions.Output[..10], new[] { before.ToString("yyyy-MM-dd"), after.ToString("yyyy-MM-dd") });
        Assert.Equal([0, 0, 0, 0, 0], new[] { endAll.Exit, locked.Exit, unlocked.Exit, disabled.Exit, enabled.Exit });
        Assert.Contains("Ended 1 session", endAll.Output);
        Assert.False(await jar.IsSignedInAsync(Factory));
        Assert.Equal(HttpStatusCode.OK, refusedWhileLocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refusedWhileDisabled.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(Factory.Browser(), email, Password)).StatusCode);
        var id = IdOf(email);
        var actions = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id && a.Actor.StartsWith("cli:")).Select(a => a.Action).ToList());
        Assert.Contains(AuditActions.SessionEnded, actions);
        Assert.Contains(AuditActions.UserLocked, actions);
        Assert.Contains(AuditActions.UserUnlocked, actions);
        Assert.Contains(AuditActions.UserDisabled, actions);
        Assert.Contains(AuditActions.UserEnabled, actions);
    }

    [Fact]
    public async Task An_unknown_account_or_role_is_an_error_that_changes_nothing()
    {
        var missing = await CmsAsync(null, "users", "lock", Email("missing"));
        var badRole = await CmsAsync(null, "users", "add", Email("bad"), "--role", "Owner");

        Assert.Equal(2, missing.Exit);
        Assert.Contains("no account", missing.Errors);
        Assert.Equal(2, badRole.Exit);
    }
}
