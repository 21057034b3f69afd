using System.Collections.Concurrent;
using System.Net;
using Cms.Core.Auditing;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cms.Web.Tests.Accounts;

// Records the work of each sign-in: every password hash checked (its header: format, PRF,
// iteration count and salt length, which set its cost) and every SQL command on this app's
// database made while serving a request.
public sealed class SignInWorkFixture : AppFixture
{
    public ConcurrentQueue<string> HashChecks { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Publishing:Worker"] = "false" };

    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddScoped<IPasswordHasher<CmsUser>>(sp => new RecordingHasher(new PasswordHasher<CmsUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), HashChecks));

    private sealed class RecordingHasher(IPasswordHasher<CmsUser> inner, ConcurrentQueue<string> checks) : IPasswordHasher<CmsUser>
    {
        public string HashPassword(CmsUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(CmsUser user, string hashedPassword, string providedPassword)
        {
            checks.Enqueue(Convert.ToHexString(Convert.FromBase64String(hashedPassword).AsSpan(0, 13)));
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private readonly RequestCommands _commands = new();

    public ConcurrentQueue<string> Commands => _commands.Commands;

    public IDisposable ListenToCommands() => _commands.Listen(ConnectionString);
}

// Account enumeration by timing: a wrong password for a real account and any password for an
// unknown, disabled or locked one must cost the same. Wall-clock times on a shared machine cannot
// show that reliably, so the work is compared instead: the same password-hash check (the cost that
// dominates, about 60 ms against 4 ms without it) and the same SQL commands and rows.
// The commands are statements only (RequestCommands): a physical connection opened during one
// sign-in because a background loop held the pool's idle one is not a difference between them.
public sealed class SignInTimingTests(SignInWorkFixture app) : WebTest(app), IClassFixture<SignInWorkFixture>
{
    private sealed record Work(List<string> HashChecks, List<string> Commands);

    private async Task<Work> SignInWorkAsync(HttpClient client, string token, string email)
    {
        app.HashChecks.Clear();
        app.Commands.Clear();
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "not the right password",
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Work([.. app.HashChecks], [.. app.Commands]);
    }

    private async Task<(string Email, string Id)> AccountAsync(string what)
    {
        var email = $"{what}-{Guid.NewGuid():N}@example.com";
        return (email, (await Factory.CreateUserAsync(email, Password, Roles.Editor)).Id);
    }

    [Fact]
    public async Task Unknown_disabled_and_locked_accounts_cost_the_same_hash_check_and_sql_as_a_wrong_password()
    {
        var (known, _) = await AccountAsync("known");
        var (disabled, disabledId) = await AccountAsync("disabled");
        var (lockedByAdmin, lockedId) = await AccountAsync("locked");
        var (lockedForClient, _) = await AccountAsync("guessed");
        Factory.WithDb(db => db.Users.Where(u => u.Id == disabledId).ExecuteUpdate(s => s.SetProperty(u => u.DisabledAt, DateTimeOffset.UtcNow)));
        Factory.WithDb(db => db.Users.Where(u => u.Id == lockedId).ExecuteUpdate(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddYears(1))));
        var client = Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var token = Http.AntiforgeryToken(await client.GetStringAsync("/Account/Login"));
        using var listening = app.ListenToCommands();
        // Warm-up (the dummy hash, compiled queries), and this client locked out of one account.
        await SignInWorkAsync(client, token, $"warm-{Guid.NewGuid():N}@example.com");
        await SignInWorkAsync(client, token, known);
        for (var i = 0; i < 5; i++)
        {
            await SignInWorkAsync(client, token, lockedForClient);
        }

        var wrongPassword = await SignInWorkAsync(client, token, known);
        var others = new Dictionary<string, Work>
        {
            ["unknown"] = await SignInWorkAsync(client, token, $"unknown-{Guid.NewGuid():N}@example.com"),
            ["disabled"] = await SignInWorkAsync(client, token, disabled),
            ["locked by an admin"] = await SignInWorkAsync(client, token, lockedByAdmin),
            ["locked out for this client"] = await SignInWorkAsync(client, token, lockedForClient),
        };

        Assert.Single(wrongPassword.HashChecks);
        Assert.NotEmpty(wrongPassword.Commands);
        foreach (var (what, work) in others)
        {
            Assert.True(wrongPassword.HashChecks.SequenceEqual(work.HashChecks),
                $"{what}: hash checks {string.Join(", ", work.HashChecks)} against {string.Join(", ", wrongPassword.HashChecks)} for a wrong password");
            Assert.True(wrongPassword.Commands.SequenceEqual(work.Commands),
                $"{what}: SQL commands {string.Join(", ", work.Commands)} against {string.Join(", ", wrongPassword.Commands)} for a wrong password");
        }
        // And the same rows: one failed sign-in event each.
        var failed = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.SignInFailed).Select(a => a.Data!).ToList());
        foreach (var email in new[] { disabled, lockedByAdmin })
        {
            Assert.Single(failed, d => d.Contains(email, StringComparison.Ordinal));
        }
    }
}
