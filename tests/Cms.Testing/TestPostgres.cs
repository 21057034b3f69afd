using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Testing;

// Throwaway databases on a real PostgreSQL server (CMS_TEST_PG, set by ./cms test). Migrations
// are applied once per run to a template, as the server's role (the owner), which then grants the
// app's role (CMS_TEST_APP_ROLE, default cms_app: owns nothing) its data privileges, as a
// deployment does (DatabaseRoles); each test class gets a copy of the template, privileges and all.
public static class TestPostgres
{
    public static string AppRole => Environment.GetEnvironmentVariable("CMS_TEST_APP_ROLE") is { Length: > 0 } role ? role : "cms_app";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly string TemplateName = $"cms_tpl_{Environment.ProcessId}_{DateTime.UtcNow:HHmmss}";
    private static bool _templateReady;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CMS_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("CMS_TEST_PG is not set: run the tests with ./cms test, which starts PostgreSQL.");

    // The owner's connection to a database (the server's role: it created and migrated it).
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = true }.ConnectionString;

    // The app's connection to a database: the role that owns nothing.
    public static string AppConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionStringFor(database)) { Username = AppRole }.ConnectionString;

    // The same database as the owner, for what only the owner may do (tampering tests, DDL).
    public static string AsOwner(string connectionString) =>
        ConnectionStringFor(new NpgsqlConnectionStringBuilder(connectionString).Database!);

    // A migrated database answers as the app's role; an empty one as the owner (whoever migrates it
    // then is the owner, the single-role set-up).

    public static async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var name = "cms_t_" + Guid.NewGuid().ToString("N")[..20];
        await Gate.WaitAsync();
        try
        {
            if (migrated && !_templateReady)
            {
                await EnsureAppRoleAsync();
                await ExecuteAsync($"CREATE DATABASE {TemplateName}");
                var templateCs = ConnectionStringFor(TemplateName);
                await DatabaseRoles.MigrateAsync(templateCs, AppConnectionStringFor(TemplateName), CancellationToken.None);
                NpgsqlConnection.ClearPool(new NpgsqlConnection(templateCs));
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Drop(TemplateName);
                _templateReady = true;
            }
            await ExecuteAsync(migrated ? $"CREATE DATABASE {name} TEMPLATE {TemplateName}" : $"CREATE DATABASE {name}");
        }
        finally
        {
            Gate.Release();
        }
        return migrated ? AppConnectionStringFor(name) : ConnectionStringFor(name);
    }

    // Roles belong to the server, not to a database: created once (./cms db start does it on the
    // local cluster; here when the server's role may create roles), then shared by every copy.
    private static async Task EnsureAppRoleAsync()
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @role", conn);
        exists.Parameters.AddWithValue("role", AppRole);
        if (await exists.ExecuteScalarAsync() is not null)
        {
            return;
        }
        try
        {
            await using var create = new NpgsqlCommand($"CREATE ROLE {new NpgsqlCommandBuilder().QuoteIdentifier(AppRole)} LOGIN", conn);
            await create.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            // Another test process created it meanwhile.
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                $"The tests run the app as the role '{AppRole}', which does not exist on the test server, and its role may not create it: "
                + $"run `CREATE ROLE {AppRole} LOGIN` as a superuser (./cms db start does this on the local cluster).", ex);
        }
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStringFor(name)));
        NpgsqlConnection.ClearPool(new NpgsqlConnection(AppConnectionStringFor(name)));
        // DROP ... WITH (FORCE) may end only its own role's sessions; the app's role ends its own
        // (a listener's pool, a killed process's session not yet reaped).
        await using (var app = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ServerConnectionString) { Username = AppRole, Pooling = false }.ConnectionString))
        {
            await app.OpenAsync();
            await using var end = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND usename = current_user AND pid <> pg_backend_pid()", app);
            end.Parameters.AddWithValue("db", name);
            await end.ExecuteScalarAsync();
        }
        await PostgresAdmin.DropDatabaseAsync(ServerConnectionString, name, CancellationToken.None);
    }

    private static void Drop(string name)
    {
        try
        {
            ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)").GetAwaiter().GetResult();
        }
        catch (NpgsqlException)
        {
            // The server may already be gone at process exit; the name is unique per run.
        }
    }

    private static Task ExecuteAsync(string sql) => PostgresAdmin.ExecuteAsync(ServerConnectionString, sql, CancellationToken.None);

    public static CmsDbContext Context(string connectionString)
    {
        var options = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(options, connectionString);
        return new CmsDbContext(options.Options);
    }
}
