using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Data.Entities;
using Cms.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class UserAdministrationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private static string Email() => $"user-{Guid.NewGuid():N}@example.com";

    private Task<Outcome<UserAdministration.Provisioned>> ProvisionAsync(Actor actor, string email, string role, string? password = null) =>
        app.RunAsync(s => s.GetRequiredService<UserAdministration>().ProvisionAsync(actor, email, password, role, CancellationToken.None));

    private Task<bool> SignsInWithAsync(string email, string password) =>
        app.RunAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<CmsUser>>();
            return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password);
        });

    [Fact]
    public async Task Provisioning_creates_the_account_with_its_role_and_one_audit_event()
    {
        var email = Email();

        var outcome = await ProvisionAsync(Actors.Admin(), email, Roles.Publisher);

        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.True(outcome.Value!.Generated);
        Assert.True(await SignsInWithAsync(email, outcome.Value.Password!));
        var roles = await app.RunAsync(s => s.GetRequiredService<UserManager<CmsUser>>().GetRolesAsync(outcome.Value.User));
        Assert.Equal([Roles.Publisher], roles);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.UserCreated && a.EntityId == outcome.Value.User.Id)));
    }

    [Fact]
    public async Task An_editor_cannot_provision_accounts_and_the_refusal_is_audited()
    {
        var email = Email();
        var before = app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "editor@example.com"));

        var outcome = await ProvisionAsync(Actors.Editor(), email, Roles.Admin);

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Result.Status);
        Assert.False(app.Read(db => db.Users.Any(u => u.Email == email)));
        Assert.Equal(before + 1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "editor@example.com")));
    }

    [Fact]
    public async Task A_weak_password_is_refused_and_no_account_is_left_behind()
    {
        var email = Email();

        var outcome = await ProvisionAsync(Actors.Admin(), email, Roles.Editor, password: "short");

        Assert.Equal(OutcomeStatus.Invalid, outcome.Result.Status);
        Assert.False(app.Read(db => db.Users.Any(u => u.Email == email)));
    }

    [Fact]
    public async Task Resetting_a_password_replaces_the_old_one_and_is_audited()
    {
        var email = Email();
        var created = await ProvisionAsync(Actors.Admin(), email, Roles.Editor);

        var reset = await app.RunAsync(s => s.GetRequiredService<UserAdministration>().ResetPasswordAsync(Actor.CommandLine(), email, null, null, CancellationToken.None));

        Assert.True(reset.Succeeded, reset.Result.Message);
        Assert.True(await SignsInWithAsync(email, reset.Value!));
        Assert.False(await SignsInWithAsync(email, created.Value!.Password!));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.UserPasswordReset && a.EntityId == created.Value.User.Id && a.Actor.StartsWith("cli:"))));
    }

    [Fact]
    public async Task Ensuring_the_admin_creates_it_once_then_resets_a_changed_password()
    {
        var email = Email();
        var first = await app.RunAsync(s => s.GetRequiredService<UserAdministration>().EnsureAdminAsync(Actor.System("setup"), email, "first password 123", CancellationToken.None));
        var again = await app.RunAsync(s => s.GetRequiredService<UserAdministration>().EnsureAdminAsync(Actor.System("setup"), email, "first password 123", CancellationToken.None));
        var rotated = await app.RunAsync(s => s.GetRequiredService<UserAdministration>().EnsureAdminAsync(Actor.System("setup"), email, "second password 456", CancellationToken.None));

        Assert.Contains("password from CMS_ADMIN_PASSWORD", first);
        Assert.Contains("password from CMS_ADMIN_PASSWORD", again);
        Assert.Contains("password reset to CMS_ADMIN_PASSWORD", rotated);
        Assert.True(await SignsInWithAsync(email, "second password 456"));
        Assert.False(await SignsInWithAsync(email, "first password 123"));
        Assert.Equal(1, app.Read(db => db.Users.Count(u => u.Email == email)));
    }

    // Two instances starting at once on an empty database: both calls are held at a gate (the users
    // table locked) until each waits, then let go together.
    [Fact]
    public async Task Two_instances_ensuring_the_admin_at_once_create_one_account_and_both_start()
    {
        var email = Email();
        await using var gate = await RowLocks.HoldAsync(app.ConnectionString, "LOCK TABLE \"AspNetUsers\" IN ACCESS EXCLUSIVE MODE");
        var first = app.RunAsync(s => s.GetRequiredService<UserAdministration>().EnsureAdminAsync(Actor.System("setup"), email, "the password 123", CancellationToken.None));
        var second = app.RunAsync(s => s.GetRequiredService<UserAdministration>().EnsureAdminAsync(Actor.System("setup"), email, "the password 123", CancellationToken.None));
        await gate.WaitedForByAsync([first, second], "both EnsureAdminAsync calls");
        await gate.CommitAsync();

        var lines = await Task.WhenAll(first, second);

        Assert.All(lines, line => Assert.Contains("password from CMS_ADMIN_PASSWORD", line));
        var user = Assert.Single(app.Read(db => db.Users.Where(u => u.Email == email).ToList()));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.UserCreated && a.EntityId == user.Id)));
        Assert.True(await SignsInWithAsync(email, "the password 123"));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted()
    {
        var email = Email();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        foreach (var other in admins)
        {
            await users.RemoveFromRoleAsync(other, Roles.Admin);
        }
        var created = await ProvisionAsync(Actors.Admin(), email, Roles.Admin);

        var outcome = await app.RunAsync(s => s.GetRequiredService<UserAdministration>().SetRolesAsync(Actors.Admin(), created.Value!.User.Id, [Roles.Editor], CancellationToken.None));

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Contains("is the last active admin", outcome.Message);
        var roles = await app.RunAsync(s => s.GetRequiredService<UserManager<CmsUser>>().GetRolesAsync(created.Value!.User));
        Assert.Equal([Roles.Admin], roles);
    }
}
