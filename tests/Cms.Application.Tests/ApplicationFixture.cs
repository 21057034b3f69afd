using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// The application layer on a throwaway PostgreSQL database, composed as the command line composes
// it (no web host): one database per test class.
public class ApplicationFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    // The app's role (owns nothing); OwnerConnectionString is the schema owner's, for tampering.
    public string ConnectionString { get; private set; } = "";

    public string OwnerConnectionString => TestPostgres.AsOwner(ConnectionString);

    // Where this fixture's audit anchors go (Audit:AnchorFolder).
    public string AnchorFolder { get; } = Path.Combine(Path.GetTempPath(), "cms-anchors-" + Guid.NewGuid().ToString("N")[..8]);

    // Where this fixture's publishing worker writes (Publishing:Folder).
    public string PublishFolder { get; } = Path.Combine(Path.GetTempPath(), "cms-published-" + Guid.NewGuid().ToString("N")[..8]);

    // Settings a test class may add before the services are built (e.g. Workflow:FourEyes).
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    // Services a test class puts in before the application's own (e.g. a clock it controls).
    protected virtual void AddServices(IServiceCollection services)
    {
    }

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Cms"] = ConnectionString,
                ["Publishing:Folder"] = PublishFolder,
                ["Audit:AnchorFolder"] = AnchorFolder,
            })
            .AddInMemoryCollection(Settings)
            .Build();
        _services = Compose(configuration, AddServices);
    }

    // The application's services as the command line composes them, on the given configuration.
    public static ServiceProvider Compose(IConfiguration configuration, Action<IServiceCollection>? add = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        add?.Invoke(services);
        services.AddCmsApplication(configuration);
        services.AddIdentityCore<CmsUser>(CmsApplication.ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<CmsDbContext>()
            .AddDefaultTokenProviders();
        return services.BuildServiceProvider();
    }

    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        await TestPostgres.DropDatabaseAsync(ConnectionString);
        foreach (var folder in new[] { PublishFolder, AnchorFolder })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    // Runs work in a fresh scope, as one request or one command would.
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    // Seals every committed audit event into the chain, as the instances' sealing loop does.
    public Task<AuditSealer.Result> SealAsync() => RunAsync(s => s.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None));

    // One statement as the schema owner (seeding rows as an older version stored them, running a
    // migration's SQL again); returns the first column of the first row, if any.
    public async Task<object?> OwnerAsync(string sql, params object[] values)
    {
        await using var conn = new Npgsql.NpgsqlConnection(OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        foreach (var value in values)
        {
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        }
        return await cmd.ExecuteScalarAsync();
    }

    // The last migration whose schema let a writer set topics.normalized_name (the next,
    // TopicsOneRegardlessOfCase, has the database compute it): the landed SQL that writes it, and
    // rows seeded as such a database held them, run there (AtMigrationAsync).
    public const string BeforeComputedTopicKeys = "20261207030533_CategoriesOneRegardlessOfCase";

    // Work done on the database taken back to the schema after the named migration, then migrated
    // forward again (the rows the work left go through the later migrations, as an upgrade's would),
    // whatever the work did.
    public async Task AtMigrationAsync(string migration, Func<Task> work)
    {
        await MigrateAsync(migration);
        try
        {
            await work();
        }
        finally
        {
            await MigrateAsync();
        }
    }

    public async Task MigrateAsync(string? target = null)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var db = TestPostgres.Context(OwnerConnectionString);
        await db.GetService<IMigrator>().MigrateAsync(target);
        // A table a migration drops and creates again (taken back, then forward) is granted anew,
        // as the app's start-up does after migrating.
        await DatabaseRoles.GrantAppAsync(OwnerConnectionString, DatabaseRoles.RoleOf(ConnectionString)!, CancellationToken.None);
    }

    public T Read<T>(Func<CmsDbContext, T> read)
    {
        using var scope = Services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<CmsDbContext>());
    }

    // Imports item texts as the pipeline would; returns the new items' ids in order.
    public async Task<List<long>> ImportAsync(params string[] texts)
    {
        var files = texts.Select((t, i) => ImportSources.FromBytes($"{Guid.NewGuid():N}_{i:D3}.txt", System.Text.Encoding.UTF8.GetBytes(t))).ToList();
        var outcome = await RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Empty(outcome.Value!.Problems);
        var names = files.Select(f => f.Path).ToList();
        return Read(db => names.Select(n => db.Items.Single(i => i.FileName == n).Id).ToList());
    }
}

// The people and processes the tests act as; permissions follow the real role table.
public static class Actors
{
    public static readonly Actor Pipeline = Actor.System("importer");

    public static Actor Editor(string name = "editor@example.com") => Person(name, Roles.Editor);

    public static Actor Publisher(string name = "publisher@example.com") => Person(name, Roles.Publisher);

    public static Actor Admin(string name = "admin@example.com") => Person(name, Roles.Admin);

    public static readonly Actor Nobody = new(null, "nobody@example.com", new HashSet<string>());

    private static Actor Person(string name, string role) => new($"id-{name}", name, Permissions.Of([role]));
}
