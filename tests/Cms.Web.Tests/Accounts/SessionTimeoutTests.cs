using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Accounts;

// The default timeouts (hours), on a clock the tests move: the session store, the sign-in cookie
// and the security-stamp check all read the app's TimeProvider, so nothing waits real time.
public sealed class SessionClockFixture : AppFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

public sealed class SessionTimeoutTests(SessionClockFixture app) : WebTest(app), IClassFixture<SessionClockFixture>
{
    private FakeTimeProvider Clock => app.Clock;

    private SessionSettings Settings => Factory.Services.GetRequiredService<SessionSettings>();

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

        Clock.Advance(Settings.IdleTimeout - TimeSpan.FromMinutes(1));
        var (other, otherJar) = await SignedInAsync();
        Assert.True(await otherJar.IsSignedInAsync(Factory), "a new session is not ended by the old one's idle time");
        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.False(await jar.IsSignedInAsync(Factory));
        Assert.True(await otherJar.IsSignedInAsync(Factory));
        Assert.Equal(0, Factory.WithDb(db => db.UserSessions.Count(s => s.UserId == id)));
        var ended = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == id));
        Assert.Contains("idle", ended.Data);
        Assert.Equal(1, Factory.WithDb(db => db.UserSessions.Count(s => s.UserId == other)));
        Assert.Equal("You were signed out after 2 hours without activity.", await jar.SignedOutReasonAsync(Factory));
    }

    [Fact]
    public async Task An_active_session_outlives_the_idle_timeout_but_not_the_absolute_lifetime()
    {
        var (id, jar) = await SignedInAsync();
        var step = Settings.IdleTimeout / 2;
        var active = TimeSpan.Zero;

        // A request every half idle timeout, up to one step short of the lifetime.
        while (active + step < Settings.Lifetime)
        {
            Clock.Advance(step);
            active += step;
            Assert.True(await jar.IsSignedInAsync(Factory), $"still signed in after {active} of activity");
        }
        Assert.True(active > Settings.IdleTimeout, "the session was active for longer than the idle timeout");
        Clock.Advance(Settings.Lifetime - active);

        Assert.False(await jar.IsSignedInAsync(Factory));
        Assert.Contains("lifetime", Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == AuditActions.SessionEnded && a.EntityId == id)).Data);
        Assert.Equal("Your session reached its limit of 12 hours; sign in again to go on.", await jar.SignedOutReasonAsync(Factory));
    }
}
