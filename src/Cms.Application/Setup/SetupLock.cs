using Npgsql;

namespace Cms.Application.Setup;

// Several instances started at once on a new database (`./cms run` on each): one sets up (migrates,
// creates the first data-protection key, ensures the admin, loads the samples) while the others wait
// on this session advisory lock, then find it all done instead of minting a second key ring or
// loading the samples twice.
public sealed class SetupLock : IAsyncDisposable
{
    private const long Key = 0x636d735f737570; // "cms_sup"
    private readonly NpgsqlConnection? _conn;

    private SetupLock(NpgsqlConnection? conn) => _conn = conn;

    public static async Task<SetupLock> HoldAsync(string connectionString, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(connectionString);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // No database yet: the migration creates it; nothing else can be set up before that.
            await conn.DisposeAsync();
            return new SetupLock(null);
        }
        await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", conn);
        await take.ExecuteNonQueryAsync(ct);
        return new SetupLock(conn);
    }

    public async ValueTask DisposeAsync()
    {
        if (_conn is null)
        {
            return;
        }
        try
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", _conn);
            await release.ExecuteNonQueryAsync();
        }
        finally
        {
            await _conn.DisposeAsync();
        }
    }
}
