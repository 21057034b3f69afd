using Npgsql;

namespace Cms.Testing;

// Server-level statements for throwaway databases (benchmarks and tests).
public static class PostgresAdmin
{
    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task DropDatabaseAsync(string serverConnectionString, string database, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(serverConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is "42501" or "55006" && attempt < 1500)
            {
                // An autovacuum worker (a superuser's backend) may still be on the database; FORCE
                // cannot end it for a non-superuser, so wait for it to finish: up to 5 minutes, as
                // one on a database just filled with 100,000 items ran past the 30 s this waited
                // before, and the import bench died after printing its figures.
                await Task.Delay(200, ct);
            }
        }
    }
}
