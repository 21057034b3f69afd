using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// "The last active admin stays" needs a database where the test decides who is admin, so each test
// has a database of its own.
public sealed class LastAdminTests : IAsyncLifetime
{
    private readonly ApplicationFixture _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    private async Task<string> AdminAsync(string email)
    {
        var created = await _app.RunAsync(s => s.GetRequiredService<UserAdministration>()
            .ProvisionAsync(Actors.Admin(), email, "a long password 1", Roles.Admin, CancellationToken.None));
        Assert.True(created.Succeeded, created.Result.Message);
        return created.Value!.User.Id;
    }

    private int ActiveAdmins() => _app.Read(db => db.UserRoles
        .Where(ur => ur.RoleId == db.Roles.Single(r => r.Name == Roles.Admin).Id)
        .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u)
        .Count(u => u.DisabledAt == null && (u.LockoutEnd == null || u.LockoutEnd <= DateTimeOffset.UtcNow)));

    private Task<Outcome> RunAsync(Func<UserAdministration, Task<Outcome>> change) =>
        _app.RunAsync(s => change(s.GetRequiredService<UserAdministration>()));

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await AdminAsync($"a{round}@example.com");
            var b = await AdminAsync($"b{round}@example.com");
            await RunAsync(u => u.SetRolesAsync(Actors.Admin(), a, [Roles.Admin], CancellationToken.None));
            var others = _app.Read(db => db.Users.Where(u => u.Id != a && u.Id != b).Select(u => u.Id).ToList());
            foreach (var other in others)
            {
                await RunAsync(u => u.SetRolesAsync(Actors.Admin(), other, [Roles.Editor], CancellationToken.None));
            }
            Assert.Equal(2, ActiveAdmins());

            using var start = new SemaphoreSlim(0, 2);
            var demoteA = Task.Run(async () => { await start.WaitAsync(); return await RunAsync(u => u.SetRolesAsync(Actors.Admin($"b{round}@example.com"), a, [Roles.Editor], CancellationToken.None)); });
            var demoteB = Task.Run(async () => { await start.WaitAsync(); return await RunAsync(u => u.SetRolesAsync(Actors.Admin($"a{round}@example.com"), b, [Roles.Editor], CancellationToken.None)); });
            start.Release(2);
            var outcomes = await Task.WhenAll(demoteA, demoteB);

            Assert.Equal(1, outcomes.Count(o => o.Succeeded));
            Assert.Contains(outcomes, o => o.Status == OutcomeStatus.Invalid && o.Message!.Contains("last active admin"));
            Assert.Equal(1, ActiveAdmins());
        }
    }

    [Fact]
    public async Task The_last_admin_cannot_lock_or_disable_themselves_but_can_once_another_admin_exists()
    {
        var only = await AdminAsync("only@example.com");

        var locked = await RunAsync(u => u.LockAsync(Actors.Admin("only@example.com"), only, CancellationToken.None));
        var disabled = await RunAsync(u => u.DisableAsync(Actors.Admin("only@example.com"), only, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Invalid, locked.Status);
        Assert.Equal(OutcomeStatus.Invalid, disabled.Status);
        Assert.Equal(1, ActiveAdmins());

        await AdminAsync("second@example.com");
        var disabledNow = await RunAsync(u => u.DisableAsync(Actors.Admin("second@example.com"), only, CancellationToken.None));
        Assert.True(disabledNow.Succeeded, disabledNow.Message);
        Assert.Equal(1, ActiveAdmins());
    }

    [Fact]
    public async Task A_role_change_ends_the_accounts_sessions_and_is_audited_with_the_session_end()
    {
        await AdminAsync("keeper@example.com");
        var target = await AdminAsync("target@example.com");
        await _app.RunAsync(s => s.GetRequiredService<UserSessions>().StoreAsync(target, [1, 2, 3], "test agent", "127.0.0.1", CancellationToken.None));
        await _app.RunAsync(s => s.GetRequiredService<UserSessions>().StoreAsync(target, [4, 5, 6], "test agent", "127.0.0.1", CancellationToken.None));

        var changed = await RunAsync(u => u.SetRolesAsync(Actors.Admin("keeper@example.com"), target, [Roles.Publisher], CancellationToken.None));

        Assert.True(changed.Succeeded, changed.Message);
        Assert.Equal(0, _app.Read(db => db.UserSessions.Count(s => s.UserId == target)));
        var ended = _app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == target));
        Assert.Equal("keeper@example.com", ended.Actor);
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(ended.Data!).RootElement.GetProperty("sessions").GetInt32());
        Assert.Equal(1, _app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.UserRoleChanged && a.EntityId == target)));
    }
}
