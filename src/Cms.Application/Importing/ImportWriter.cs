using Cms.Application.Auditing;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Importing;

// Writes parsed files, one transaction per batch under an advisory lock, so concurrent imports of
// the same folder cannot both insert one URL. New items go in by binary COPY, untouched items
// follow their source, items an editor touched only get a pending source revision.
public sealed class ImportWriter(CmsDbContext db, TopicVocabulary topics)
{
    private const long ImportLockKey = 0x636d735f696d70; // "cms_imp"

    // The same story twice in one list: split there, so the earlier file is written first.
    public async Task WriteAsync(IReadOnlyList<PreparedItem> items, Actor actor, ImportReport report, CancellationToken ct)
    {
        var batch = new List<PreparedItem>();
        var urls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!urls.Add(item.Url))
            {
                await WriteBatchAsync(batch, actor, report, ct);
                batch.Clear();
                urls.Clear();
                urls.Add(item.Url);
            }
            batch.Add(item);
        }
        if (batch.Count > 0)
        {
            await WriteBatchAsync(batch, actor, report, ct);
        }
    }

    private sealed record Existing(long Id, string OriginalUrl, string SourceHash, DateTimeOffset? EditedAt, WorkflowState State);

    private async Task WriteBatchAsync(List<PreparedItem> batch, Actor actor, ImportReport report, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({ImportLockKey})", ct);

        var urls = batch.Select(b => b.Url).ToList();
        var existing = await db.Items.AsNoTracking()
            .Where(i => urls.Contains(i.OriginalUrl))
            .Select(i => new Existing(i.Id, i.OriginalUrl, i.SourceHash, i.EditedAt, i.State))
            .ToDictionaryAsync(i => i.OriginalUrl, ct);

        var now = DateTimeOffset.UtcNow;
        var fresh = new List<PreparedItem>();
        int updated = 0, unchanged = 0;
        // Named in the report once the batch has committed.
        var updatedItems = new List<ImportedItem>();
        var revisionItems = new List<ImportedItem>();
        foreach (var prepared in batch)
        {
            if (!existing.TryGetValue(prepared.Url, out var known))
            {
                fresh.Add(prepared);
            }
            else if (known.SourceHash == prepared.Hash)
            {
                unchanged++;
            }
            else if (known.EditedAt is null && known.State is WorkflowState.New or WorkflowState.Published)
            {
                await UpdateUntouchedAsync(known.Id, prepared, actor, now, ct);
                updated++;
                ImportReport.Name(updatedItems, known.Id, prepared.Parsed.Title);
            }
            else if (await KeepRevisionAsync(known.Id, prepared, actor, now, ct))
            {
                report.Revisions++;
                updated++;
                ImportReport.Name(revisionItems, known.Id, prepared.Parsed.Title);
            }
            else
            {
                unchanged++;
            }
        }
        var inserted = fresh.Count > 0 ? await InsertAsync(fresh, actor, now, ct) : [];
        await AddCategoriesAsync(batch.Select(b => b.Parsed.Category), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        report.Imported += fresh.Count;
        report.Updated += updated;
        report.Unchanged += unchanged;
        foreach (var item in inserted.Take(ImportReport.MaxListed - report.NewItems.Count))
        {
            ImportReport.Name(report.NewItems, item.Id, item.Title);
        }
        updatedItems.ForEach(i => ImportReport.Name(report.UpdatedItems, i.Id, i.Title));
        revisionItems.ForEach(i => ImportReport.Name(report.RevisionItems, i.Id, i.Title));
    }

    // An item nobody has touched follows its source: fields, links and topics are replaced.
    private async Task UpdateUntouchedAsync(long id, PreparedItem prepared, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var item = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).SingleAsync(i => i.Id == id, ct);
        var before = item.SourceHash;
        ItemRows.Apply(item, prepared, now);
        item.RelatedLinks.Clear();
        item.RelatedLinks.AddRange(prepared.Parsed.Related.Select(r => ItemRows.Link(id, r)));
        var topicIds = await topics.EnsureFromImportAsync(actor, prepared.Parsed.Topics, ct);
        item.Topics.Clear();
        item.Topics.AddRange(ItemRows.Topics(id, prepared.Parsed.Topics, topicIds));
        // Pending revisions of an untouched item are superseded by the newer source.
        await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Dismissed), ct);
        item.SourceChanged = false;
        AuditLog.Add(db, actor, AuditActions.ItemSourceUpdated, AuditTargets.Item, id.ToString(),
            new { file = prepared.Parsed.Document.Path, beforeHash = before, afterHash = prepared.Hash });
    }

    // An editor's work is never overwritten: the new source waits as a pending revision.
    private async Task<bool> KeepRevisionAsync(long id, PreparedItem prepared, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.SourceRevisions.AnyAsync(r => r.ItemId == id && r.SourceHash == prepared.Hash, ct))
        {
            return false;
        }
        await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Dismissed), ct);
        db.SourceRevisions.Add(new SourceRevision
        {
            ItemId = id,
            FileName = Path.GetFileName(prepared.Parsed.Document.Path),
            SourceYaml = prepared.Parsed.Document.Yaml,
            SourceHash = prepared.Hash,
            ReceivedAt = now,
            Status = RevisionStatus.Pending,
        });
        await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.SourceChanged, true), ct);
        AuditLog.Add(db, actor, AuditActions.ItemRevisionReceived, AuditTargets.Item, id.ToString(),
            new { file = prepared.Parsed.Document.Path, hash = prepared.Hash });
        return true;
    }

    private async Task<List<Item>> InsertAsync(List<PreparedItem> fresh, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var ids = await ItemCopy.ReserveIdsAsync(conn, fresh.Count, ct);
        var topicIds = await topics.EnsureFromImportAsync(actor, fresh.SelectMany(f => f.Parsed.Topics), ct);
        // Audit rows for topics created above go out with this transaction too.
        await db.SaveChangesAsync(ct);
        var items = new List<Item>(fresh.Count);
        for (var i = 0; i < fresh.Count; i++)
        {
            var item = ItemRows.NewItem(ids[i], fresh[i], now);
            item.Topics.AddRange(ItemRows.Topics(ids[i], fresh[i].Parsed.Topics, topicIds));
            items.Add(item);
        }
        await ItemCopy.WriteAsync(conn, items, ct);
        await AuditLog.CopyAsync(conn, actor, AuditActions.ItemImported, AuditTargets.Item,
            items.Select((item, i) => (item.Id.ToString(), (object?)new { file = fresh[i].Parsed.Document.Path })), now, ct);
        return items;
    }

    // Categories the pipeline uses join the managed list (names over 100 characters stay off it).
    private async Task AddCategoriesAsync(IEnumerable<string?> categories, CancellationToken ct)
    {
        var names = categories.Where(c => !string.IsNullOrWhiteSpace(c) && c.Length <= 100).Select(c => c!).Distinct().ToArray();
        if (names.Length > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO categories (name, from_import) SELECT unnest({names}), true ON CONFLICT (name) DO NOTHING", ct);
        }
    }
}
