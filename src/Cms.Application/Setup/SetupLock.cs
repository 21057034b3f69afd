using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Cms.Application.Setup;

// Several instances started at once on a new database (`./cms run` or `./cms migrate` on each): one
// sets up (creates the database when it is absent, migrates, creates the first data-protection key,
// ensures the admin, loads the samples) while the others wait on this session advisory lock, then
// find it all done instead of failing in the middle of a migration (42704), minting a second key
// ring or loading the samples twice. The lock is taken in the server's maintenance database, which
// always exists (advisory locks belong to a database), keyed by the target database's name, so it
// also covers the creation of a database that does not exist yet.
public sealed class SetupLock : IAsyncDisposable
{
    public const int LockClass = 0x636d7375; // "cmsu"
    public const string MaintenanceDatabase = "postgres";
    private readonly NpgsqlConnection _conn;
    private readonly int _key;

    private SetupLock(NpgsqlConnection conn, int key) => (_conn, _key) = (conn, key);

    // The lock's second key for a database name (pg_locks.objid): stable across processes.
    public static int KeyOf(string database) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(database)));

    public static async Task<SetupLock> HoldAsync(string connectionString, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var key = KeyOf(target.Database ?? target.Username ?? "");
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = MaintenanceDatabase }.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            // A server without the maintenance database, or a role kept out of it: lock in the
            // target database itself (which then has to exist).
            await conn.DisposeAsync();
            conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(ct);
        }
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(@class, @key)", conn);
            take.Parameters.AddWithValue("class", LockClass);
            take.Parameters.AddWithValue("key", key);
            // Waiting for another instance's migration may take long: no command timeout.
            take.CommandTimeout = 0;
            await take.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        return new SetupLock(conn, key);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, @key)", _conn);
            release.Parameters.AddWithValue("class", LockClass);
            release.Parameters.AddWithValue("key", _key);
            await release.ExecuteNonQueryAsync();
        }
        finally
        {
            await _conn.DisposeAsync();
        }
    }
}
