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

namespace Cms.Application.Publishing;

// One round of draining the outbox. In one transaction: claim due jobs (FOR UPDATE SKIP LOCKED, so
// instances never share a job), take each item's advisory lock (so two instances never work on one
// item's file at once), write or remove the files, then mark the jobs and write the audit events,
// and commit. A crash anywhere before the commit leaves the jobs pending and the locks released;
// the retry writes the same bytes to the same name.
public sealed class PublishWorker(CmsDbContext db, ItemExporter exporter, PublishingOptions options, ILogger<PublishWorker> log)
{
    public static readonly Actor Actor = Actor.System("worker");

    // Namespace of the per-item advisory locks (two-int form, apart from the bigint keys).
    private const int ItemLockSpace = 0x707562; // "pub"

    private sealed record Work(long ItemId, List<PublishJob> Jobs, WorkflowState State, string? OutputFile)
    {
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
            // Begun on the connection, not through EF: this transaction holds job rows while it writes
            // files and must not hold the audit chain lock meanwhile (AuditChainLock).
            await using var tx = await conn.BeginTransactionAsync(ct);
            await db.Database.UseTransactionAsync(tx, ct);
            var jobs = await db.PublishJobs
                .FromSql($"SELECT * FROM publish_jobs WHERE status = 'Pending' AND next_attempt_at <= now() ORDER BY id LIMIT {options.BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(ct);
            if (jobs.Count == 0)
            {
                await tx.CommitAsync(ct);
                return 0;
            }
            var work = await ClaimItemsAsync(conn, jobs, ct);
            await WriteAsync(work, ct);
            Fault("after-write");
            Complete(work, workerName);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return work.Sum(w => w.Jobs.Count);
        }
        finally
        {
            db.ChangeTracker.Clear();
            await db.Database.UseTransactionAsync(null, ct);
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<List<Work>> ClaimItemsAsync(NpgsqlConnection conn, List<PublishJob> jobs, CancellationToken ct)
    {
        var itemIds = jobs.Select(j => j.ItemId).Distinct().ToArray();
        var held = new HashSet<long>();
        await using (var cmd = new NpgsqlCommand(
            $"SELECT x FROM unnest(@ids) AS x WHERE pg_try_advisory_xact_lock({ItemLockSpace}, (x % 2147483647)::int)", conn))
        {
            cmd.Parameters.AddWithValue("ids", itemIds);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                held.Add(reader.GetInt64(0));
            }
        }
        // Jobs of items another worker holds stay pending for a later round.
        foreach (var job in jobs.Where(j => !held.Contains(j.ItemId)))
        {
            db.Entry(job).State = EntityState.Detached;
        }
        var items = await db.Items.AsNoTracking().Where(i => held.Contains(i.Id))
            .Select(i => new { i.Id, i.State, i.OutputFile }).ToDictionaryAsync(i => i.Id, ct);
        return jobs.Where(j => held.Contains(j.ItemId)).GroupBy(j => j.ItemId)
            .Select(g => new Work(g.Key, g.ToList(), items[g.Key].State, items[g.Key].OutputFile))
            .ToList();
    }

    // Published items are written, every other state removes the file: a job brings the output in
    // line with the item as it is now, whatever it was when the job was queued.
    private async Task WriteAsync(List<Work> work, CancellationToken ct)
    {
        var published = work.Where(w => w.State == WorkflowState.Published && w.OutputFile is not null).Select(w => w.ItemId).ToList();
        var texts = new ConcurrentDictionary<long, string>();
        foreach (var chunk in published.Chunk(500))
        {
            foreach (var (row, text) in await exporter.RenderAsync(await exporter.RowsAsync(chunk, ct), ct))
            {
                texts[row.Id] = text;
            }
        }
        Fault("before-write");
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
                    w.Hash = await OutputFiles.WriteAsync(options.Folder, w.OutputFile, texts[w.ItemId], token);
                    w.Result = "written";
                }
                else
                {
                    OutputFiles.Remove(options.Folder, w.OutputFile);
                    w.Result = "removed";
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
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

    private void Complete(List<Work> work, string workerName)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var w in work)
        {
            var attempts = w.Jobs.Max(j => j.Attempts) + 1;
            var failed = w.Error is not null;
            var givingUp = failed && attempts >= options.MaxAttempts;
            var next = now + PublishingOptions.Backoff(attempts);
            foreach (var job in w.Jobs)
            {
                job.Attempts = attempts;
                job.Worker = workerName;
                job.FileName = w.OutputFile;
                if (failed)
                {
                    job.LastError = w.Error!.Length > 2000 ? w.Error[..2000] : w.Error;
                    job.Status = givingUp ? PublishJobStatus.Failed : PublishJobStatus.Pending;
                    job.NextAttemptAt = next;
                    job.CompletedAt = givingUp ? now : null;
                }
                else
                {
                    job.Status = PublishJobStatus.Done;
                    job.Result = w.Result;
                    job.ContentHash = w.Hash;
                    job.CompletedAt = now;
                    job.LastError = null;
                }
            }
            var jobIds = w.Jobs.Select(j => j.Id).ToList();
            var (action, data) = failed
                ? (AuditActions.PublishOutputFailed, (object)new { file = w.OutputFile, error = w.Error, attempt = attempts, retryAt = givingUp ? (DateTimeOffset?)null : next, jobs = jobIds, worker = workerName })
                : w.Result == "written"
                    ? (AuditActions.PublishOutputWritten, new { file = w.OutputFile, sha256 = w.Hash, state = w.State.ToString(), jobs = jobIds, worker = workerName })
                    : (AuditActions.PublishOutputRemoved, new { file = w.OutputFile, state = w.State.ToString(), jobs = jobIds, worker = workerName });
            AuditLog.Add(db, Actor, action, AuditTargets.Item, w.ItemId.ToString(), data);
            if (failed)
            {
                log.LogWarning("publishing item {Item} failed (attempt {Attempt}): {Error}", w.ItemId, attempts, w.Error);
            }
        }
    }

    // Test-only: die at a chosen point, as a crashed machine would, with the transaction open.
    private void Fault(string point)
    {
        if (string.Equals(options.FailAt, point, StringComparison.OrdinalIgnoreCase))
        {
            Environment.FailFast($"Publishing:FailAt={point}: fault injected");
        }
    }

    // When the earliest pending retry is due (null when none is pending).
    public Task<DateTimeOffset?> NextRetryAsync(CancellationToken ct) =>
        db.PublishJobs.Where(j => j.Status == PublishJobStatus.Pending).MinAsync(j => (DateTimeOffset?)j.NextAttemptAt, ct);
}
