using Cms.Application.Setup;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// REVIEW5 #4: two instances started together on a database that does not exist yet both created
// and migrated it, and one died in the middle of a migration (42704). `./cms migrate` and
// `./cms run` now migrate under one setup lock, held in the maintenance database.
public sealed class SetupLockTests
{
    private static ServiceProvider Instance(string connectionString) => ApplicationFixture.Compose(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Cms"] = connectionString }).Build());

    private static async Task MigrateAsync(IServiceProvider instance)
    {
        using var scope = instance.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseSetup>().MigrateLockedAsync(CancellationToken.None);
    }

    private static async Task<long> ScalarAsync(string sql, string database)
    {
        await using var conn = new NpgsqlConnection(TestPostgres.ServerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("class", (long)SetupLock.LockClass);
        cmd.Parameters.AddWithValue("key", (long)(uint)SetupLock.KeyOf(database));
        cmd.Parameters.AddWithValue("db", database);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    // Sessions waiting for the setup lock of this database.
    private static Task<long> WaitingAsync(string database) => ScalarAsync(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = @class AND objid::bigint = @key AND objsubid = 2", database);

    [Fact]
    public async Task Two_migrators_started_together_on_a_database_that_does_not_exist_wait_for_the_setup_lock_and_both_succeed()
    {
        var database = "cms_t_" + Guid.NewGuid().ToString("N")[..20];
        var connectionString = TestPostgres.ConnectionStringFor(database);
        await using var one = Instance(connectionString);
        await using var two = Instance(connectionString);
        try
        {
            Task first, second;
            // The gate: the test holds the database's setup lock, as an instance setting up would.
            await using (await SetupLock.HoldAsync(connectionString, CancellationToken.None))
            {
                first = MigrateAsync(one);
                second = MigrateAsync(two);
                // Until both wait on the lock, or one of them got past it (the bug); the timeout is
                // only a safety net.
                var until = DateTime.UtcNow.AddSeconds(60);
                while (await WaitingAsync(database) < 2 && !first.IsCompleted && !second.IsCompleted && DateTime.UtcNow < until)
                {
                    await Task.Delay(20);
                }
                Assert.False(first.IsCompleted || second.IsCompleted, $"a migrator did not wait for the setup lock: {first.Exception ?? second.Exception}");
                Assert.Equal(2, await WaitingAsync(database));
                Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM pg_database WHERE datname = @db", database));
            }
            // Released together: one creates and migrates, the other finds it done; neither fails.
            await Task.WhenAll(first, second);
            await using var scope = one.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
