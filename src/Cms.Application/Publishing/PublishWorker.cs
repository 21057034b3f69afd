using System.Collections.Concurrent;
using Cms.Application.Auditing;
using Cms.Application.Exporting;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Cms.Core.Text;

namespace Cms.Application.Publishing;

// One round of draining the outbox. In one transaction: claim due jobs (FOR UPDATE SKIP LOCKED, so
// instances never share a job), take each item's advisory lock (so two instances never work on one
// item's file at once), write or remove the files, then mark the jobs and write the audit events,
// and commit. A crash anywhere before the commit leaves the jobs pending and the locks released;
// the retry writes the same bytes to the same name.
// Due times and completions are on the app's TimeProvider, the clock the moves that queue the jobs
// stamp them with (never the database's now(): another clock, and one a test cannot move).
public sealed class PublishWorker(CmsDbContext db, ItemExporter exporter, PublishingOptions options, ILogger<PublishWorker> log,
    IEnumerable<IPublishCheckpoint> checkpoints, TimeProvider clock)
{
    public static readonly Actor Actor = Actor.System("worker");

    // Namespace of the per-item advisory locks (two-int form, apart from the bigint keys).
    private const int ItemLockSpace = 0x707562; // "pub"

    private sealed record Job(long Id, long ItemId, int Attempts);

    private sealed record Work(long ItemId, List<Job> Jobs, WorkflowState State, string? OutputFile)
    {
        public ItemExporter.Prepared? Source { get; set; }
        public string? Text { get; set; }
        public string? Error { get; set; }
        public string? Result { get; set; }
        public string? Hash { get; set; }
    }

    // Returns how many jobs it completed or failed; 0 when nothing was due.
    public async Task<int> RunOnceAsync(string workerName, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            // Begun on the connection and handed to EF: the claim, the file writes and the completion
            // (jobs and audit events) are one transaction.
            await using var tx = await conn.BeginTransactionAsync(ct);
            await db.Database.UseTransactionAsync(tx, ct);
            var jobs = await ClaimAsync(conn, ct);
            if (jobs.Count == 0)
            {
                await tx.CommitAsync(ct);
                return 0;
            }
            // Durations for the log only.
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            var work = await LockItemsAsync(conn, jobs, ct);
            var locked = elapsed.Elapsed.TotalMilliseconds;
            await WriteAsync(conn, work, ct);
            var written = elapsed.Elapsed.TotalMilliseconds;
            await CheckpointAsync(IPublishCheckpoint.AfterWrite, conn, ct);
            await CompleteAsync(conn, work, workerName, ct);
            await tx.CommitAsync(ct);
            log.LogDebug("{Jobs} jobs: items locked in {Locked:F0} ms, files in {Written:F0} ms, completed and committed in {Done:F0} ms",
                jobs.Count, locked, written - locked, elapsed.Elapsed.TotalMilliseconds - written);
            return work.Sum(w => w.Jobs.Count);
        }
        finally
        {
            await db.Database.UseTransactionAsync(null, ct);
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<List<Job>> ClaimAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var jobs = new List<Job>();
        await using var claim = new NpgsqlCommand(
            "SELECT id, item_id, attempts FROM publish_jobs WHERE status = 'Pending' AND next_attempt_at <= @now ORDER BY id LIMIT @n FOR UPDATE SKIP LOCKED", conn);
        claim.Parameters.AddWithValue("n", options.BatchSize);
        claim.Parameters.AddWithValue("now", clock.GetUtcNow());
        await using var reader = await claim.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            jobs.Add(new Job(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)));
        }
        return jobs;
    }

    // Jobs of items another worker holds stay pending (their row locks go at commit) for a later round.
    private async Task<List<Work>> LockItemsAsync(NpgsqlConnection conn, List<Job> jobs, CancellationToken ct)
    {
        var held = new HashSet<long>();
        await using (var cmd = new NpgsqlCommand(
            $"SELECT x FROM unnest(@ids) AS x WHERE pg_try_advisory_xact_lock({ItemLockSpace}, (x % 2147483647)::int)", conn))
        {
            cmd.Parameters.AddWithValue("ids", jobs.Select(j => j.ItemId).Distinct().ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                held.Add(reader.GetInt64(0));
            }
        }
        var items = await db.Items.AsNoTracking().Where(i => held.Contains(i.Id))
            .Select(i => new { i.Id, i.State, i.OutputFile }).ToDictionaryAsync(i => i.Id, ct);
        return jobs.Where(j => held.Contains(j.ItemId)).GroupBy(j => j.ItemId)
            .Select(g => new Work(g.Key, g.ToList(), items[g.Key].State, items[g.Key].OutputFile))
            .ToList();
    }

    // Published items are written, every other state removes the file: a job brings the output in
    // line with the item as it is now, whatever it was when the job was queued. Rendering (CPU) and
    // writing (mostly fsync) of different items overlap.
    private async Task WriteAsync(NpgsqlConnection conn, List<Work> work, CancellationToken ct)
    {
        var published = work.Where(w => w.State == WorkflowState.Published && w.OutputFile is not null).ToDictionary(w => w.ItemId);
        if (published.Count > 0)
        {
            // The version recorded by the move (DeliveryRecorder), the same one every other target
            // delivers; an item published before delivery existed is rendered as it is now.
            var ids = published.Keys.ToList();
            foreach (var recorded in await db.PublishedItems.AsNoTracking().Where(p => ids.Contains(p.ItemId) && !p.Withdrawn && p.Output != null)
                .Select(p => new { p.ItemId, p.Output }).ToListAsync(ct))
            {
                published[recorded.ItemId].Text = recorded.Output;
            }
            var unrecorded = published.Values.Where(w => w.Text is null).Select(w => w.ItemId).ToList();
            if (unrecorded.Count > 0)
            {
                foreach (var prepared in await exporter.PrepareAsync(await exporter.RowsAsync(unrecorded, ct), ct))
                {
                    published[prepared.Row.Id].Source = prepared;
                }
            }
        }
        log.LogDebug("{Items} items to render prepared", published.Count);
        await CheckpointAsync(IPublishCheckpoint.BeforeWrite, conn, ct);
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.WriteParallelism, CancellationToken = ct }, async (w, token) =>
        {
            try
            {
                if (w.OutputFile is null)
                {
                    w.Result = "nothing";
                }
                else if (w.State == WorkflowState.Published)
                {
                    w.Hash = await OutputFiles.WriteAsync(options.Folder, w.OutputFile, w.Text ?? exporter.Render(w.Source!), token);
                    w.Result = "written";
                }
                else
                {
                    OutputFiles.Remove(options.Folder, w.OutputFile);
                    w.Result = "removed";
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever this item's failure (the disk, a source the reader now refuses), it is
                // this job's, retried with backoff; the other items of the round go on.
                w.Error = ex.Message;
            }
        });
        try
        {
            OutputFiles.SyncFolder(options.Folder);
        }
        catch (IOException ex)
        {
            log.LogWarning(ex, "could not sync the publish folder {Folder}", options.Folder);
        }
    }

    // Marks the jobs (done, or pending again with backoff, or failed for good) and writes one audit
    // event per item: set-based, in the claim's transaction.
    private async Task CompleteAsync(NpgsqlConnection conn, List<Work> work, string workerName, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = new List<(long Job, string Status, int Attempts, DateTimeOffset Next, string? Error, DateTimeOffset? Completed, string? Result, string? File, string? Hash)>();
        var events = new Dictionary<string, List<(string TargetId, object? Data)>>();
        foreach (var w in work)
        {
            var attempts = w.Jobs.Max(j => j.Attempts) + 1;
            var failed = w.Error is not null;
            var givingUp = failed && attempts >= options.MaxAttempts;
            var next = now + PublishingOptions.Backoff(attempts);
            var error = w.Error is null ? null : UnicodeText.Clip(w.Error, 2000, "");
            foreach (var job in w.Jobs)
            {
                rows.Add(failed
                    ? (job.Id, givingUp ? nameof(PublishJobStatus.Failed) : nameof(PublishJobStatus.Pending), attempts, next, error, givingUp ? now : null, null, w.OutputFile, null)
                    : (job.Id, nameof(PublishJobStatus.Done), attempts, now, null, now, w.Result, w.OutputFile, w.Hash));
            }
            var jobIds = w.Jobs.Select(j => j.Id).ToList();
            var (action, data) = failed
                ? (AuditActions.PublishOutputFailed, (object)new { file = w.OutputFile, error, attempt = attempts, retryAt = givingUp ? (DateTimeOffset?)null : next, jobs = jobIds, worker = workerName })
                : w.Result == "written"
                    ? (AuditActions.PublishOutputWritten, new { file = w.OutputFile, sha256 = w.Hash, state = w.State.ToString(), jobs = jobIds, worker = workerName })
                    : (AuditActions.PublishOutputRemoved, new { file = w.OutputFile, state = w.State.ToString(), jobs = jobIds, worker = workerName });
            (events.TryGetValue(action, out var list) ? list : events[action] = []).Add((w.ItemId.ToString(), data));
            if (failed)
            {
                log.LogWarning("publishing item {Item} failed (attempt {Attempt}): {Error}", w.ItemId, attempts, w.Error);
            }
        }
        await using (var update = new NpgsqlCommand("""
            UPDATE publish_jobs AS j SET status = u.status, attempts = u.attempts, next_attempt_at = u.retry_at, last_error = u.error,
              completed_at = u.completed, result = u.result, file_name = u.file, content_hash = u.hash, worker = @worker
            FROM unnest(@ids, @statuses, @attempts, @next, @errors, @completed, @results, @files, @hashes)
              AS u(id, status, attempts, retry_at, error, completed, result, file, hash)
            WHERE j.id = u.id
            """, conn))
        {
            update.Parameters.AddWithValue("worker", workerName);
            update.Parameters.AddWithValue("ids", rows.Select(r => r.Job).ToArray());
            update.Parameters.AddWithValue("statuses", rows.Select(r => r.Status).ToArray());
            update.Parameters.AddWithValue("attempts", rows.Select(r => r.Attempts).ToArray());
            update.Parameters.AddWithValue("next", rows.Select(r => r.Next).ToArray());
            update.Parameters.Add(new NpgsqlParameter<string?[]>("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.Error).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("completed", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = rows.Select(r => r.Completed).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<string?[]>("results", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.Result).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<string?[]>("files", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.File).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<string?[]>("hashes", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.Hash).ToArray() });
            await update.ExecuteNonQueryAsync(ct);
        }
        foreach (var (action, list) in events)
        {
            await AuditLog.CopyAsync(conn, Actor, action, AuditTargets.Item, list, now, ct);
        }
    }

    private async Task CheckpointAsync(string point, NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var checkpoint in checkpoints)
        {
            await checkpoint.ReachedAsync(point, conn, ct);
        }
    }

    // When the earliest pending retry is due (null when none is pending).
    public Task<DateTimeOffset?> NextRetryAsync(CancellationToken ct) =>
        db.PublishJobs.Where(j => j.Status == PublishJobStatus.Pending).MinAsync(j => (DateTimeOffset?)j.NextAttemptAt, ct);
}
