using Cms.Application.Auditing;
using Cms.Application.Stories;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Importing;

// Writes parsed files, one transaction per batch under an advisory lock, so concurrent imports of
// the same folder cannot both insert one URL. New items go in by binary COPY; an existing item
// only follows its source while it is New and nobody has touched it; any other change waits as a
// pending source revision. Import never moves an existing item between workflow states.
public sealed class ImportWriter(CmsDbContext db, TopicVocabulary topics, RevisionComparer comparer, StoryGrouping stories, ImportProfile profile, ILogger<ImportWriter> logger)
{
    private const long ImportLockKey = 0x636d735f696d70; // "cms_imp"
    public const int CategoryColumnLength = 100;

    // Grouping's search of the batch to be written next, begun during this one's COPY (StoryGrouping.SearchAhead).
    private StoryGrouping.Search? _next;
    private IReadOnlyList<PreparedItem>? _upcoming;

    // Grouping's memory of what this import has written (StoryGrouping's own rows and candidates).
    private StoryMemory? _memory;

    private StoryMemory Memory => _memory ??= new StoryMemory(stories.Settings.ImportMemoryItems);

    internal StoryMemory? HeldMemory => _memory;

    // A new import: nothing of an earlier one is searched ahead or held.
    public async Task BeginAsync()
    {
        await DropNextAsync();
        _memory = null;
    }

    // The same story twice in one list: split there, so the earlier file is written first.
    // `upcoming`, when known, is the list to be written after this one.
    public async Task WriteAsync(IReadOnlyList<PreparedItem> items, Actor actor, ImportReport report, CancellationToken ct, IReadOnlyList<PreparedItem>? upcoming = null)
    {
        var batch = new List<PreparedItem>();
        var urls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!urls.Add(item.Url))
            {
                await WriteIsolatingRefusalsAsync(batch, actor, report, ct);
                batch = [];
                urls.Clear();
                urls.Add(item.Url);
            }
            batch.Add(item);
        }
        if (batch.Count > 0)
        {
            _upcoming = upcoming;
            await WriteIsolatingRefusalsAsync(batch, actor, report, ct);
        }
        _upcoming = null;
    }

    // A row the database refuses must cost its own file only: the batch is rolled back and its
    // halves written again, down to the one file, which is reported with the database's reason.
    // k bad files in a batch of n cost about k·log2(n) extra transactions; good batches cost none.
    private async Task WriteIsolatingRefusalsAsync(List<PreparedItem> batch, Actor actor, ImportReport report, CancellationToken ct)
    {
        try
        {
            (await WriteBatchAsync(batch, actor, ct)).AddTo(report);
        }
        catch (Exception ex) when (RowRefusal(ex) is { } refusal)
        {
            db.ChangeTracker.Clear();
            await DropNextAsync();
            // The batch rolled back was already held: start again from the table.
            _memory?.Clear();
            if (batch.Count == 1)
            {
                logger.LogWarning("The database refused {Path}: {SqlState} {Message}", batch[0].Parsed.Document.Path, refusal.SqlState, refusal.MessageText);
                report.Refuse(new ImportProblem(batch[0].Parsed.Document.Path, $"refused by the database: {refusal.MessageText} ({refusal.SqlState})"));
                return;
            }
            var half = batch.Count / 2;
            await WriteIsolatingRefusalsAsync(batch[..half], actor, report, ct);
            await WriteIsolatingRefusalsAsync(batch[half..], actor, report, ct);
        }
    }

    // Refusals caused by a row's content: data exceptions (22), integrity constraints (23) and
    // program limits such as an index row too large (54). Anything else (connection lost,
    // deadlock, shutdown) fails the import as before, to be rerun.
    internal static PostgresException? RowRefusal(Exception ex) =>
        (ex as PostgresException ?? ex.InnerException as PostgresException) is { } pg && pg.SqlState[..2] is "22" or "23" or "54" ? pg : null;

    private sealed record Existing(long Id, string OriginalUrl, string SourceHash, DateTimeOffset? EditedAt, WorkflowState State, bool SourceChanged);

    private sealed class BatchResult
    {
        public int Imported, Updated, Unchanged, Revisions;
        public List<ImportProblem> Problems { get; } = [];
        public List<string> MissingTopics { get; } = [];

        // Named in the report only once the batch has committed.
        public List<ImportedItem> NewItems { get; } = [];
        public List<ImportedItem> UpdatedItems { get; } = [];
        public List<ImportedItem> RevisionItems { get; } = [];

        public void AddTo(ImportReport report)
        {
            report.Imported += Imported;
            report.Updated += Updated;
            report.Unchanged += Unchanged;
            report.Revisions += Revisions;
            report.Refuse(Problems);
            MissingTopics.ForEach(report.CountMissingTopic);
            NewItems.ForEach(i => ImportReport.Name(report.NewItems, i.Id, i.Title));
            UpdatedItems.ForEach(i => ImportReport.Name(report.UpdatedItems, i.Id, i.Title));
            RevisionItems.ForEach(i => ImportReport.Name(report.RevisionItems, i.Id, i.Title));
        }
    }

    private async Task<BatchResult> WriteBatchAsync(List<PreparedItem> batch, Actor actor, CancellationToken ct)
    {
        var result = new BatchResult();
        profile.Batch();
        var lap = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (existing, spellings) = await LockAndReadAsync(batch, ct);
        var now = DateTimeOffset.UtcNow;
        // Grouping's candidate search runs beside the steps below, on a connection of its own
        // (begun during the previous batch's COPY when that batch knew this one).
        await using var search = await TakeNextAsync(batch) ?? stories.SearchAhead((NpgsqlConnection)db.Database.GetDbConnection(), batch, now, null, Memory, ct);
        // Grouping's own rows of the new items (keys, term counts) go beside the items' COPY, on a
        // connection of their own, committed just before this transaction (StoryWrites).
        await using var writes = stories.Settings.Grouping ? new StoryWrites((NpgsqlConnection)db.Database.GetDbConnection()) : null;

        lap = profile.Lap(ImportProfile.Phase.LockAndDedupe, lap);
        // Each category in the list's spelling, whatever its letter case (CategoryNames).
        batch = TopicVocabulary.SpellCategories(batch, spellings);
        var rules = await ImportRules.ForBatchAsync(actor, topics, batch, ct);

        var fresh = new List<PreparedItem>();
        var applied = new List<PreparedItem>();
        foreach (var prepared in batch)
        {
            existing.TryGetValue(prepared.Url, out var known);
            if (known is not null && known.SourceHash == prepared.Hash)
            {
                // The item's own source again: a revision still offered is of a source taken back.
                await DismissStaleRevisionsAsync(known, prepared, actor, ct);
                result.Unchanged++;
            }
            else if (known is not null && !FollowsItsSource(known, prepared))
            {
                if (await KeepRevisionAsync(known, prepared, actor, now, ct))
                {
                    result.Revisions++;
                    result.Updated++;
                    ImportReport.Name(result.RevisionItems, known.Id, prepared.Parsed.Title);
                }
                else
                {
                    result.Unchanged++;
                }
            }
            else if (rules.Refusal(prepared, isNew: known is null) is { } reason)
            {
                result.Problems.Add(new ImportProblem(prepared.Parsed.Document.Path, reason));
                result.MissingTopics.AddRange(rules.MissingTopics(prepared));
                AuditLog.Add(db, actor, AuditActions.AuthorizationRefused, AuditTargets.Item, known?.Id.ToString(),
                    new { attempted = AuditActions.ItemImported, file = prepared.Parsed.Document.Path, reason });
            }
            else if (known is null)
            {
                fresh.Add(prepared);
                applied.Add(prepared);
            }
            else
            {
                if (_memory?.Holds(known.Id) == true)
                {
                    // Re-keyed below; what memory holds of it is not what the table now says.
                    _memory.Invalidate();
                }
                await UpdateUntouchedAsync(known.Id, prepared, actor, now, ct);
                applied.Add(prepared);
                result.Updated++;
                ImportReport.Name(result.UpdatedItems, known.Id, prepared.Parsed.Title);
            }
        }
        lap = profile.Lap(ImportProfile.Phase.Rules, lap);
        // The applied files' categories join the list in the new items' topics round trip, or here
        // when the batch has no new item.
        var categories = ImportRules.Categories(applied);
        var inserted = fresh.Count > 0 ? await InsertAsync(fresh, actor, now, search, writes, applied.Count == fresh.Count, categories, ct) : [];
        lap = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var item in inserted.Take(ImportReport.MaxListed))
        {
            ImportReport.Name(result.NewItems, item.Id, item.Title);
        }
        if (fresh.Count == 0)
        {
            await topics.EnsureCategoriesFromImportAsync(actor, categories, ct);
        }
        await db.SaveChangesAsync(ct);
        lap = profile.Lap(ImportProfile.Phase.Categories, lap);
        // Neither commit is cancelled once begun (REVIEW12 R12-3: a cancelled items' commit left the
        // keys and counts committed just before it): a cancellation takes effect after them.
        if (writes is not null)
        {
            await writes.CommitAsync(CancellationToken.None);
        }
        try
        {
            await tx.CommitAsync(CancellationToken.None);
        }
        catch (Exception) when (writes is { Committed: true })
        {
            // Refused by the server or the connection lost: when the server says the items'
            // transaction aborted, their keys and counts go too. The commit's exception is the one
            // reported; a failing undo is logged (its rows then stay, as after a crash).
            try
            {
                if (await writes.UndoUnlessStoredAsync(CancellationToken.None) is not ("aborted" or "committed") and var outcome)
                {
                    logger.LogWarning("A batch's commit failed and its outcome is {Outcome}: its key rows and term counts stay", outcome ?? "unknown");
                }
            }
            catch (Exception undo)
            {
                logger.LogError(undo, "The key rows and term counts of a batch whose commit failed could not be taken back");
            }
            throw;
        }
        profile.Lap(ImportProfile.Phase.Commit, lap);
        db.ChangeTracker.Clear();
        result.Imported = fresh.Count;
        return result;
    }

    // The batch's first round trip, three statements run in order: the import lock, then the stored
    // items of the batch's URLs (read after the lock is granted, so every batch committed before it,
    // this import's previous one included, is seen), then the list's spellings of the batch's
    // categories. One round trip instead of three: 35 µs each on loopback, so it matters only with
    // the database on another host (docs/benchmarks.md, IMPORT14).
    private async Task<(Dictionary<string, Existing> Existing, Dictionary<string, string> Spellings)> LockAndReadAsync(List<PreparedItem> batch, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var read = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = ImportLockKey } } },
                new NpgsqlBatchCommand("SELECT id, original_url, source_hash, edited_at, state, source_changed FROM items WHERE original_url = ANY($1)")
                {
                    Parameters = { new() { Value = batch.Select(b => b.Url).ToArray() } },
                },
                new NpgsqlBatchCommand("SELECT normalized_name, name FROM categories WHERE normalized_name = ANY($1)")
                {
                    Parameters = { new() { Value = ImportRules.Categories(batch).Select(CategoryNames.Key).Distinct().ToArray() } },
                },
            },
        };
        var existing = new Dictionary<string, Existing>(StringComparer.Ordinal);
        var spellings = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await read.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var known = new Existing(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), Enum.Parse<WorkflowState>(reader.GetString(4)), reader.GetBoolean(5));
            existing[known.OriginalUrl] = known;
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            spellings[reader.GetString(0)] = reader.GetString(1);
        }
        return (existing, spellings);
    }

    // Only a New item nobody has touched follows its source, and only to stay New: a file that
    // now says `published: true` is a change a person has to decide on.
    private static bool FollowsItsSource(Existing known, PreparedItem prepared) =>
        known.EditedAt is null && known.State == WorkflowState.New && !prepared.Parsed.Published;

    // Fields, links and topics are replaced; the state stays New.
    private async Task UpdateUntouchedAsync(long id, PreparedItem prepared, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var item = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).SingleAsync(i => i.Id == id, ct);
        var before = item.SourceHash;
        var keyed = StoryKeyUpkeep.Inputs.Of(item);
        ItemRows.Apply(item, prepared, now);
        await StoryKeyUpkeep.RekeyAsync((NpgsqlConnection)db.Database.GetDbConnection(), stories.Settings, item, keyed, ct);
        item.RelatedLinks.Clear();
        item.RelatedLinks.AddRange(prepared.Parsed.Related.Select(r => ItemRows.Link(id, r)));
        var (topicIds, _, _) = await topics.EnsureFromImportAsync(actor, prepared.Parsed.Topics, itemIds: 0, ct);
        item.Topics.Clear();
        item.Topics.AddRange(ItemRows.Topics(id, prepared.Parsed.Topics, topicIds));
        // Pending revisions of an untouched item are superseded by the newer source.
        var dismissed = await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Superseded), ct);
        item.SourceChanged = false;
        AuditLog.Add(db, actor, AuditActions.ItemSourceUpdated, AuditTargets.Item, id.ToString(),
            new { file = prepared.Parsed.Document.Path, beforeHash = before, afterHash = prepared.Hash, state = item.State.ToString(), dismissedRevisions = dismissed });
    }

    // An editor's work, and any item past New, is never overwritten: the new source waits as a
    // pending revision, with its comparison to the current source computed once, here.
    private async Task<bool> KeepRevisionAsync(Existing known, PreparedItem prepared, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var id = known.Id;
        var seen = await db.SourceRevisions.Where(r => r.ItemId == id && r.SourceHash == prepared.Hash)
            .Select(r => new { r.Id, r.Status }).SingleOrDefaultAsync(ct);
        if (seen is { Status: not RevisionStatus.Superseded })
        {
            // Offered already (pending), or decided by a person: any other revision still offered
            // is of a source taken back.
            if (seen.Status != RevisionStatus.Pending)
            {
                await DismissStaleRevisionsAsync(known, prepared, actor, ct);
            }
            return false;
        }
        var current = await db.Items.Where(i => i.Id == id).Select(i => i.SourceYaml).SingleAsync(ct);
        // Decoded once (a parsed file keeps its bytes; Yaml decodes them on each call).
        var incoming = prepared.Parsed.Document.Yaml;
        var comparison = comparer.Compare(current, incoming);
        if (comparison is { Read: true, ChangedFieldCount: 0 })
        {
            // Nothing an editor could take (a name in another letter case, formatting): not a change,
            // and a revision still offered is of a source taken back.
            await DismissStaleRevisionsAsync(known, prepared, actor, ct);
            return false;
        }
        await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Superseded), ct);
        var fileName = Path.GetFileName(prepared.Parsed.Document.Path);
        if (seen is not null)
        {
            // A file superseded by the import (never decided by a person) sent again: offered again,
            // compared with the source as it is now.
            await db.SourceRevisions.Where(r => r.Id == seen.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RevisionStatus.Pending)
                .SetProperty(r => r.FileName, fileName)
                .SetProperty(r => r.ReceivedAt, now)
                .SetProperty(r => r.ChangedFields, comparison.ChangedFields)
                .SetProperty(r => r.ChangedFieldCount, comparison.ChangedFieldCount), ct);
        }
        else
        {
            db.SourceRevisions.Add(new SourceRevision
            {
                ItemId = id,
                FileName = fileName,
                SourceYaml = incoming,
                SourceHash = prepared.Hash,
                ReceivedAt = now,
                Status = RevisionStatus.Pending,
                ChangedFields = comparison.ChangedFields,
                ChangedFieldCount = comparison.ChangedFieldCount,
            });
        }
        await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.SourceChanged, true), ct);
        AuditLog.Add(db, actor, AuditActions.ItemRevisionReceived, AuditTargets.Item, id.ToString(),
            new { file = prepared.Parsed.Document.Path, hash = prepared.Hash, state = known.State.ToString(), changedFields = comparison.ChangedFields });
        await Notifications.Notifier.SourceRevisionAsync((NpgsqlConnection)db.Database.GetDbConnection(), actor, id, now, ct);
        return true;
    }

    // The newest source has nothing an editor could take: the item's pending revisions (flagged by
    // "source changed", so an unflagged item costs no query) offer what the source no longer says.
    // They are dismissed and the flag cleared, with the audit event, in the batch's transaction.
    private async Task DismissStaleRevisionsAsync(Existing known, PreparedItem prepared, Actor actor, CancellationToken ct)
    {
        if (!known.SourceChanged)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("""
            WITH d AS (UPDATE source_revisions SET status = 'Superseded' WHERE item_id = $1 AND status = 'Pending' RETURNING id),
            f AS (UPDATE items SET source_changed = false WHERE id = $1 AND source_changed RETURNING id)
            SELECT coalesce((SELECT array_agg(id ORDER BY id) FROM d), '{}'), EXISTS (SELECT 1 FROM f)
            """, (NpgsqlConnection)db.Database.GetDbConnection());
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = known.Id });
        long[] dismissed;
        bool cleared;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (dismissed, cleared) = (reader.GetFieldValue<long[]>(0), reader.GetBoolean(1));
        }
        if (dismissed.Length > 0 || cleared)
        {
            AuditLog.Add(db, actor, AuditActions.ItemRevisionDismissed, AuditTargets.Item, known.Id.ToString(),
                new { file = prepared.Parsed.Document.Path, hash = prepared.Hash, revisions = dismissed, reason = "the newest source has nothing an editor could take" });
        }
    }

    private async Task<StoryGrouping.Search?> TakeNextAsync(List<PreparedItem> batch)
    {
        var next = _next;
        _next = null;
        if (next is not null && !next.IsFor(batch))
        {
            await next.DisposeAsync();
            return null;
        }
        return next;
    }

    private async Task DropNextAsync()
    {
        if (_next is { } next)
        {
            _next = null;
            await next.DisposeAsync();
        }
    }

    // searchNext: whether the next batch's search may begin during this write. Not after an update of
    // a stored item in this batch: it re-keys the item (StoryKeyUpkeep) in this transaction, which
    // that search could not see, nor compare in memory as it does this batch's new items.
    private async Task<List<Item>> InsertAsync(List<PreparedItem> fresh, Actor actor, DateTimeOffset now, StoryGrouping.Search? search, StoryWrites? writes, bool searchNext, IEnumerable<string> categories, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var lap = System.Diagnostics.Stopwatch.GetTimestamp();
        // With grouping off each new item is a story of its own: its story id comes with its id,
        // in the same statement, instead of a round trip of StoryGrouping's.
        var grouping = stories.Settings.Grouping;
        var (topicIds, ids, storyIds) = await topics.EnsureFromImportAsync(actor, fresh.SelectMany(f => f.Parsed.Topics), fresh.Count, ct, storyIds: grouping ? 0 : fresh.Count, categories);
        // Audit rows for topics and categories created above (and refusals before them) go out with this
        // transaction too; nothing to save costs no round trip.
        await db.SaveChangesAsync(ct);
        var items = new List<Item>(fresh.Count);
        for (var i = 0; i < fresh.Count; i++)
        {
            var item = ItemRows.NewItem(ids[i], fresh[i], now);
            item.Topics.AddRange(ItemRows.Topics(ids[i], fresh[i].Parsed.Topics, topicIds));
            if (!grouping)
            {
                item.StoryId = storyIds[i];
            }
            items.Add(item);
        }
        lap = profile.Lap(ImportProfile.Phase.TopicsAndIds, lap);
        var assigned = grouping ? await stories.AssignAsync(conn, items, fresh.Select(f => f.StoryTerms).ToList(), search, Memory, writes, ct) : null;
        if (assigned is not null && searchNext && _upcoming is { Count: > 0 } upcoming)
        {
            _next = stories.SearchAhead(conn, upcoming, DateTimeOffset.UtcNow, assigned, Memory, ct);
        }
        _upcoming = null;
        lap = profile.Lap(ImportProfile.Phase.StoryGrouping, lap);
        var vectors = fresh.Select(f => f.SearchVector).ToList();
        await ItemCopy.WriteAsync(conn, items, vectors, ct);
        profile.Copied(items.Count, vectors.Count(v => v is not null));
        lap = profile.Lap(ImportProfile.Phase.CopyRows, lap);
        // The event says which state the item starts in: an item imported as Published is
        // published by the import, and the audit says so.
        await AuditLog.CopyAsync(conn, actor, AuditActions.ItemImported, AuditTargets.Item,
            items.Select((item, i) => (item.Id.ToString(), (object?)new { file = fresh[i].Parsed.Document.Path, state = item.State.ToString() })), now, ct);
        profile.Lap(ImportProfile.Phase.CopyAudit, lap);
        return items;
    }
}
