using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Infrastructure;

// The real app over HTTP on a throwaway PostgreSQL database.
public sealed class CmsFactory(string connectionString) : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Cms", ConnectionString);
        builder.UseSetting("RateLimit:LoginPerMinute", "10000");
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

// One database and one app per test class.
public abstract class WebTest : IAsyncLifetime
{
    public const string Password = "correct horse battery";

    private string? _connectionString;
    private CmsFactory? _factory;

    protected CmsFactory Factory => _factory ?? throw new InvalidOperationException("not initialized");

    protected string ConnectionString => _connectionString ?? throw new InvalidOperationException("not initialized");

    public virtual async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _factory = new CmsFactory(_connectionString);
        _ = _factory.Services; // start the host now
    }

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_connectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(_connectionString);
        }
    }

    // Imports the given front-matter texts as files named 001_item.txt, 002_item.txt, ...
    protected async Task ImportTextsAsync(params string[] texts)
    {
        var report = await Corpus.ImportAsync(Factory.Services, texts);
        Assert.Empty(report.Problems);
    }

    protected long ItemId(string title) => Factory.WithDb(db => db.Items.Single(i => i.Title == title).Id);

    protected async Task<HttpClient> SignedInAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, role);
        var client = Factory.Browser();
        var response = await Http.SignInAsync(client, email, Password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
