using Npgsql;

namespace Cms.Application.Publishing;

// A point in a publishing round where the worker's transaction is open: the jobs are claimed and
// the files are about to be written (BeforeWrite), or written and not yet marked done (AfterWrite).
// A test registers an implementation to end the worker there as a crash would (ExactlyOnceTests);
// the product registers none, so nothing in configuration can reach it.
public interface IPublishCheckpoint
{
    public const string BeforeWrite = "before-write";
    public const string AfterWrite = "after-write";

    // conn: the worker's connection, inside its open transaction.
    Task ReachedAsync(string point, NpgsqlConnection conn, CancellationToken ct);
}
