using System.Diagnostics;
using Npgsql;

namespace Cms.Testing;

// A transaction that holds rows (as a concurrent writer would) while the test starts work that must
// wait for them; the test then commits and looks at what the work did.
public sealed class RowLocks : IAsyncDisposable
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(2);
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;

    private RowLocks(NpgsqlConnection conn, NpgsqlTransaction tx) => (_conn, _tx) = (conn, tx);

    // Begins a transaction and runs the statements in it (e.g. a SELECT ... FOR NO KEY UPDATE or an
    // uncommitted UPDATE), leaving it open.
    public static async Task<RowLocks> HoldAsync(string connectionString, params string[] statements)
    {
        var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, conn, tx);
            await command.ExecuteNonQueryAsync();
        }
        return new RowLocks(conn, tx);
    }

    public NpgsqlCommand Command(string sql) => new(sql, _conn, _tx);

    // Returns once another session of this database waits for a lock (running a statement like
    // `query`, when given); throws at once if the work finished instead (it did not wait for the
    // held rows). `within` is a safety net only.
    public async Task WaitedForByAsync(Task work, string what, string query = "%", TimeSpan? within = null) =>
        await WaitedForByAsync([work], what, query, within);

    // Returns once as many other sessions as there are pieces of work wait for a lock (the held
    // rows, or each other's): every one of them is held at the gate.
    public async Task WaitedForByAsync(IReadOnlyList<Task> works, string what, string query = "%", TimeSpan? within = null)
    {
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            if (works.FirstOrDefault(w => w.IsCompleted) is { } work)
            {
                await work;
                throw new InvalidOperationException($"{what} finished while the rows were held: it did not wait for them");
            }
            await using (var clear = Command("SELECT pg_stat_clear_snapshot()"))
            {
                await clear.ExecuteNonQueryAsync();
            }
            await using var waiting = Command(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE @query");
            waiting.Parameters.AddWithValue("query", query);
            if ((long)(await waiting.ExecuteScalarAsync())! >= works.Count)
            {
                return;
            }
            if (giveUp.Elapsed > (within ?? SafetyNet))
            {
                throw new TimeoutException($"safety net: {what} never waited for the held rows");
            }
            await Task.Delay(20);
        }
    }

    public Task CommitAsync() => _tx.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _conn.DisposeAsync();
    }
}
