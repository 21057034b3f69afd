using Cms.Application.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Infrastructure;

// The real app over HTTP on a throwaway PostgreSQL database (as the app's role, which owns
// nothing), publishing into a folder of its own (several factories may share one database and one
// folder: two instances of one deployment).
// Extra settings (e.g. Security:RequireTwoFactorForAdmins) override the test defaults.
public sealed class CmsFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, string? publishFolder = null)
    : WebApplicationFactory<Program>
{
    // Read by every PhysicalFileProvider this process creates (the web root's among them).
    static CmsFactory() => Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");

    public string ConnectionString { get; } = connectionString;

    public string PublishFolder { get; } = publishFolder ?? Path.Combine(Path.GetTempPath(), "cms-published-" + Guid.NewGuid().ToString("N")[..8]);

    // Where this instance writes its audit anchors (Audit:AnchorFolder).
    public string AnchorFolder { get; } = Path.Combine(Path.GetTempPath(), "cms-anchors-" + Guid.NewGuid().ToString("N")[..8]);

    // Services replaced for a test class, e.g. a clock the tests move (FakeTimeProvider).
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // No inotify watchers (appsettings reloading, the web root's asp-append-version hashes): the
        // per-user limit of inotify instances (128) is shared with every other test run and app on
        // the machine, and a host that cannot get one fails to start (Repo.Cms does the same).
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        builder.UseSetting("ConnectionStrings:Cms", ConnectionString);
        builder.UseSetting("RateLimit:LoginPerMinute", "10000");
        builder.UseSetting("Publishing:Folder", PublishFolder);
        builder.UseSetting("RateLimit:LoginPerAccountPerMinute", "10000");
        // Most tests sign admins in by password alone; the two-factor tests turn the rule back on.
        builder.UseSetting("Security:RequireTwoFactorForAdmins", "false");
        // Tests seal and anchor the audit trail when they mean to (AuditSealer, AuditAnchors); the
        // sealing tests turn the instance's own loop back on.
        builder.UseSetting("Audit:Sealer", "false");
        builder.UseSetting("Audit:AnchorFolder", AnchorFolder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        if (TestServices is not null)
        {
            builder.ConfigureTestServices(TestServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var folder in new[] { PublishFolder, AnchorFolder })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<CmsUser> CreateUserAsync(string email, string password, params string[] roles)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CmsUser>>();
        var user = new CmsUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
        Check(await users.CreateAsync(user, password));
        foreach (var role in roles)
        {
            Check(await users.AddToRoleAsync(user, role));
        }
        return user;
    }

    // Seals every committed audit event into the chain, as the instances' sealing loop does.
    public async Task<AuditSealer.Result> SealAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None);
    }

    public T WithDb<T>(Func<CmsDbContext, T> read)
    {
        using var scope = Services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<CmsDbContext>());
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
