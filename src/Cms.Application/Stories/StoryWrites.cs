using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Stories;

// A batch's grouping rows, its new items' key rows (story_window_keys) and its term counts, written
// by the import on a connection of their own, beside the writer's COPY of the items, in a
// transaction the writer commits just before the items' (ImportWriter): off the writer's path.
// Before, never after: an item that is committed always has its keys and counts, so another
// import's search cannot miss it. What the order leaves instead, between the two commits and for
// good if the items' commit then fails and PostgreSQL cannot say it aborted (UndoUnlessStoredAsync)
// or never comes (a crash): key rows of items that do not exist, which the candidate read skips (it
// reads candidates from items by id), and term counts that include them (weights; README, "Story grouping").
public sealed class StoryWrites(NpgsqlConnection writer) : IAsyncDisposable
{
    // How long the undo waits for a lost items' commit to end on the server before ending its
    // backend (README, "Story grouping"), and how long it then waits for the backend to go.
    internal static TimeSpan OutcomeWait { get; set; } = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan EndedWait = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<long> _xid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NpgsqlConnection? _conn;
    private NpgsqlTransaction? _tx;
    private Task? _write;
    private (int[] Keys, DateTimeOffset[] At, long[] Ids, int[] Terms, long[] Counts)? _rows;

    // The items' transaction (on the writer's connection): its id and backend, read before its COMMIT.
    private (long Xid, int Pid)? _items;

    public bool Committed { get; private set; }

    // The transaction's id, for a search in another snapshot to tell whether it sees these rows.
    internal Task<long> Xid => _xid.Task;

    // Starts writing the items' key rows and the batch's own term counts (terms sorted, so that two
    // writers lock count rows in the same order).
    internal void Start(IReadOnlyList<Item> items, int[] terms, long[] counts, CancellationToken ct)
    {
        var rows = items.Sum(i => i.StoryKeys?.Length ?? 0);
        var (keys, at, ids) = (new int[rows], new DateTimeOffset[rows], new long[rows]);
        var r = 0;
        foreach (var item in items)
        {
            var when = StoryGrouping.When(item);
            foreach (var key in item.StoryKeys ?? [])
            {
                (keys[r], at[r], ids[r]) = (key, when, item.Id);
                r++;
            }
        }
        _rows = (keys, at, ids, terms, counts);
        _write = Task.Run(async () =>
        {
            try
            {
                _conn = (NpgsqlConnection)((ICloneable)writer).Clone();
                await _conn.OpenAsync(ct);
                _tx = await _conn.BeginTransactionAsync(ct);
                // Durable once the items' commit is: its WAL record comes after this one's.
                await using (var cmd = new NpgsqlCommand("SET LOCAL synchronous_commit = off; SELECT pg_current_xact_id()::text::bigint", _conn, _tx))
                {
                    _xid.SetResult((long)(await cmd.ExecuteScalarAsync(ct))!);
                }
                await using (var cmd = new NpgsqlCommand("""
                    INSERT INTO story_term_counts (term, items) SELECT * FROM unnest(@terms, @counts)
                    ON CONFLICT (term) DO UPDATE SET items = story_term_counts.items + excluded.items
                    """, _conn, _tx))
                {
                    cmd.Parameters.Add(new NpgsqlParameter<int[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = terms });
                    cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = counts });
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await using var copy = await _conn.BeginBinaryImportAsync("COPY story_window_keys (key, at, item_id) FROM STDIN (FORMAT BINARY)", ct);
                for (var i = 0; i < keys.Length; i++)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(keys[i], NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(at[i], NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                }
                await copy.CompleteAsync(ct);
            }
            catch (Exception ex)
            {
                _xid.TrySetException(ex);
                throw;
            }
        }, ct);
    }

    // Called by the writer just before it commits the items (nothing to do if nothing was started).
    // The items' transaction id is read first, beside the key rows' last step: once the COMMIT is
    // sent, only the server can say whether it happened (UndoUnlessStoredAsync).
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_write is null)
        {
            return;
        }
        var items = ItemsTransactionAsync(ct);
        await Task.WhenAll(items, _write);
        _items = items.Result;
        await _tx!.CommitAsync(ct);
        Committed = true;
    }

    private async Task<(long, int)> ItemsTransactionAsync(CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_current_xact_id()::text::bigint, pg_backend_pid()", writer);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt32(1));
    }

    // The items' commit failed after this one's (refused by the server, or the connection lost
    // with the COMMIT sent). Their key rows and counts are taken back only when the server says
    // the items' transaction aborted: a COMMIT it received may still be running (a deferred
    // constraint, a synchronous standby, a WAL flush), so the undo waits for it to end, at most
    // OutcomeWait; past that it ends the transaction's backend (aborted if it had not committed
    // yet, committed if it had) and asks again. When no answer comes, the rows stay (as after a crash).
    // Returns what the server said of the items' transaction (null: nothing to undo, or no answer).
    public async Task<string?> UndoUnlessStoredAsync(CancellationToken ct)
    {
        if (!Committed || _rows is not { } rows || _items is not { } items)
        {
            return null;
        }
        var outcome = await ItemsOutcomeAsync(items.Xid, items.Pid, ct);
        if (outcome != "aborted")
        {
            return outcome;
        }
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM story_window_keys w USING unnest(@keys, @at, @ids) AS r(key, at, item_id)
            WHERE w.key = r.key AND w.at = r.at AND w.item_id = r.item_id;
            UPDATE story_term_counts c SET items = c.items - r.items FROM unnest(@terms, @counts) AS r(term, items) WHERE c.term = r.term;
            """, _conn);
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = rows.Keys });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = rows.At });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = rows.Ids });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = rows.Terms });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = rows.Counts });
        await cmd.ExecuteNonQueryAsync(ct);
        Committed = false;
        return outcome;
    }

    // "committed", "aborted", "in progress" (still, after the waits) or null (too old to be known).
    private async Task<string?> ItemsOutcomeAsync(long xid, int pid, CancellationToken ct)
    {
        var status = await StatusUntilEndedAsync(xid, OutcomeWait, ct);
        if (status != "in progress")
        {
            return status;
        }
        // Its client is gone: nobody can use that transaction any more. The backend named is
        // ended only while it still holds the items' transaction.
        await using (var end = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = @pid AND backend_xid = xid(@xid::text::xid8)", _conn))
        {
            end.Parameters.Add(new NpgsqlParameter<int>("pid", pid));
            end.Parameters.Add(new NpgsqlParameter<long>("xid", xid));
            await end.ExecuteNonQueryAsync(ct);
        }
        return await StatusUntilEndedAsync(xid, EndedWait, ct);
    }

    private async Task<string?> StatusUntilEndedAsync(long xid, TimeSpan wait, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_xact_status(@xid::text::xid8)", _conn);
            cmd.Parameters.Add(new NpgsqlParameter<long>("xid", xid));
            var status = await cmd.ExecuteScalarAsync(ct) as string;
            if (status != "in progress" || waited.Elapsed >= wait)
            {
                return status;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_write is not null)
        {
            try
            {
                await _write;
            }
            catch (Exception) when (!Committed)
            {
                // Reported by CommitAsync, or moot: the batch failed before it.
            }
        }
        if (_tx is not null)
        {
            await _tx.DisposeAsync();
        }
        if (_conn is not null)
        {
            await _conn.DisposeAsync();
        }
    }
}
