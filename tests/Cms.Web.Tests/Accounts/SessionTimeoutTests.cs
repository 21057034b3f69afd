using System.Net;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// Timeouts in seconds instead of hours, so a test can wait them out. Not shorter: the cookie's
// ticket keeps its times to the whole second.
public sealed class ShortSessionsFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Security:SessionIdleTimeout"] = "00:00:04",
        ["Security:SessionLifetime"] = "00:00:09",
    };
}

public sealed class SessionTimeoutTests(ShortSessionsFixture app) : WebTest(app), IClassFixture<ShortSessionsFixture>
{
    private async Task<(string Id, CookieJar Jar)> SignedInAsync()
    {
        var email = $"idle-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var jar = new CookieJar();
        await jar.SignInAsync(Factory, email, Password);
        return (user.Id, jar);
    }

    [Fact]
    public async Task A_session_left_idle_past_the_timeout_ends_on_the_server()
    {
        var (id, jar) = await SignedInAsync();
        Assert.True(await jar.IsSignedInAsync(Factory));

        await Task.Delay(TimeSpan.FromSeconds(5));

        Assert.False(await jar.IsSignedInAsync(Factory));
        Assert.Equal(0, Factory.WithDb(db => db.UserSessions.Count(s => s.UserId == id)));
        var ended = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == id));
        Assert.Contains("idle", ended.Data);
    }

    [Fact]
    public async Task An_active_session_outlives_the_idle_timeout_but_not_the_absolute_lifetime()
    {
        var (id, jar) = await SignedInAsync();

        var signedIn = DateTime.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.True(await jar.IsSignedInAsync(Factory), $"still signed in after {i + 1} s of activity");
        }
        var rest = signedIn.AddSeconds(9.5) - DateTime.UtcNow;
        await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero);

        Assert.False(await jar.IsSignedInAsync(Factory));
        Assert.Contains("lifetime", Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == id)).Data);
    }
}
