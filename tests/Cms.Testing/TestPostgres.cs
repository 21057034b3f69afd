using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Testing;

// Throwaway databases on a real PostgreSQL server (CMS_TEST_PG, set by ./cms test). Migrations
// are applied once per run to a template; each test class gets a copy of it.
public static class TestPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly string TemplateName = $"cms_tpl_{Environment.ProcessId}_{DateTime.UtcNow:HHmmss}";
    private static bool _templateReady;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CMS_TEST_PG") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("CMS_TEST_PG is not set: run the tests with ./cms test, which starts PostgreSQL.");

    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = true }.ConnectionString;

    public static async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var name = "cms_t_" + Guid.NewGuid().ToString("N")[..20];
        await Gate.WaitAsync();
        try
        {
            if (migrated && !_templateReady)
            {
                await ExecuteAsync($"CREATE DATABASE {TemplateName}");
                var options = new DbContextOptionsBuilder<CmsDbContext>();
                var templateCs = ConnectionStringFor(TemplateName);
                CmsDbContext.Configure(options, templateCs);
                await using (var db = new CmsDbContext(options.Options))
                {
                    await db.Database.MigrateAsync();
                }
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
        return ConnectionStringFor(name);
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
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
