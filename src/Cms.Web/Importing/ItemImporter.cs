using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Web.Importing;

// Streams files through the reader in batches. Each batch is one transaction: new items go in by
// binary COPY, untouched items are updated, items an editor touched only get a pending source
// revision. An advisory lock serializes batches across processes, so concurrent imports of the
// same folder cannot both insert one URL.
public sealed class ItemImporter(CmsDbContext db, ItemParser parser, FrontMatterOptions options, ILogger<ItemImporter> logger)
{
    public const int BatchSize = 1000;
    private const long ImportLockKey = 0x636d735f696d70; // "cms_imp"

    public Task<ImportReport> ImportAsync(IEnumerable<string> paths, string actor, IProgress<ImportReport>? progress, CancellationToken ct) =>
        ImportAsync(ImportSources.FromPaths(paths), actor, progress, ct);

    // Reading and parsing batch k+1 (in parallel over the cores) overlaps with writing batch k.
    public async Task<ImportReport> ImportAsync(IEnumerable<ImportFile> files, string actor, IProgress<ImportReport>? progress, CancellationToken ct)
    {
        var report = new ImportReport();
        Task? writing = null;
        foreach (var chunk in files.Chunk(BatchSize))
        {
            var parsed = await ParseChunkAsync(chunk, ct);
            if (writing is not null)
            {
                await writing;
                progress?.Report(report);
            }
            foreach (var (_, problem) in parsed.Where(p => p.Problem is not null))
            {
                report.Problems.Add(problem!);
            }
            writing = WriteAllAsync(parsed.Where(p => p.Item is not null).Select(p => p.Item!).ToList(), actor, report, ct);
        }
        if (writing is not null)
        {
            await writing;
        }
        progress?.Report(report);
        return report;
    }

    private sealed record Prepared(ParsedItem Parsed, string Hash, string ImagesJson)
    {
        public string Url => Parsed.NormalizedUrl;
    }

    private async Task<(Prepared? Item, ImportProblem? Problem)[]> ParseChunkAsync(ImportFile[] chunk, CancellationToken ct)
    {
        // Bytes are read one file after another: uploads and zip entries share one stream.
        var bytes = new byte[]?[chunk.Length];
        var results = new (Prepared?, ImportProblem?)[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            var file = chunk[i];
            if (file.Length > options.MaxBytes)
            {
                results[i] = (null, new(file.Path, $"file is {file.Length} bytes, over the limit of {options.MaxBytes} bytes"));
                continue;
            }
            try
            {
                bytes[i] = await file.ReadAsync(ct);
            }
            catch (IOException ex)
            {
                results[i] = (null, new(file.Path, $"cannot read: {ex.Message}"));
            }
        }
        await Task.Run(() => Parallel.For(0, chunk.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            if (bytes[i] is { } data)
            {
                results[i] = Parse(chunk[i].Path, data);
            }
        }), ct);
        return results;
    }

    private (Prepared?, ImportProblem?) Parse(string path, byte[] bytes)
    {
        try
        {
            var parsed = parser.Parse(path, bytes);
            return (new Prepared(parsed, Hash(parsed.Document.Yaml), JsonSerializer.Serialize(parsed.Images)), null);
        }
        catch (FrontMatterException ex)
        {
            return (null, new(path, ReasonWithoutPath(ex.Problem)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A reader bug must cost one file, never the batch; the log keeps the stack.
            logger.LogError(ex, "Unexpected failure reading {Path}", path);
            return (null, new(path, $"unreadable: {ex.GetType().Name}"));
        }
    }

    // The same story twice in one batch: split there, so the earlier file is written first.
    private async Task WriteAllAsync(List<Prepared> items, string actor, ImportReport report, CancellationToken ct)
    {
        var batch = new List<Prepared>();
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

    // "PATH: reason" is printed by the caller; the reason still names line, column and field.
    private static string ReasonWithoutPath(ReadProblem p)
    {
        var parts = new List<string>();
        if (p.Line is { } line)
        {
            parts.Add(p.Column is { } column ? $"line {line}, column {column}" : $"line {line}");
        }
        if (p.Field.Length > 0)
        {
            parts.Add($"field '{p.Field}'");
        }
        parts.Add(p.Reason);
        return string.Join(": ", parts);
    }

    public static string Hash(string yaml) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));

    private sealed record Existing(long Id, string OriginalUrl, string SourceHash, DateTimeOffset? EditedAt, WorkflowState State);

    private async Task WriteBatchAsync(List<Prepared> batch, string actor, ImportReport report, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({ImportLockKey})", ct);

        var urls = batch.Select(b => b.Url).ToList();
        var existing = await db.Items.AsNoTracking()
            .Where(i => urls.Contains(i.OriginalUrl))
            .Select(i => new Existing(i.Id, i.OriginalUrl, i.SourceHash, i.EditedAt, i.State))
            .ToDictionaryAsync(i => i.OriginalUrl, ct);

        var now = DateTimeOffset.UtcNow;
        var fresh = new List<Prepared>();
        int updated = 0, unchanged = 0;
        foreach (var prepared in batch)
        {
            var (item, hash) = (prepared.Parsed, prepared.Hash);
            if (!existing.TryGetValue(prepared.Url, out var known))
            {
                fresh.Add(prepared);
            }
            else if (known.SourceHash == hash)
            {
                unchanged++;
            }
            else if (known.EditedAt is null && known.State is WorkflowState.New or WorkflowState.Published)
            {
                await UpdateUntouchedAsync(known.Id, item, hash, actor, now, ct);
                updated++;
            }
            else if (await KeepRevisionAsync(known.Id, item, hash, actor, now, ct))
            {
                report.Revisions++;
                updated++;
            }
            else
            {
                unchanged++;
            }
        }
        if (fresh.Count > 0)
        {
            await InsertAsync(fresh, actor, now, ct);
        }
        await AddCategoriesAsync(batch.Select(b => b.Parsed.Category), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        report.Imported += fresh.Count;
        report.Updated += updated;
        report.Unchanged += unchanged;
    }

    // An item nobody has touched follows its source: fields, links and topics are replaced.
    private async Task UpdateUntouchedAsync(long id, ParsedItem parsed, string hash, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var item = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).SingleAsync(i => i.Id == id, ct);
        var before = item.SourceHash;
        Apply(item, parsed, hash, now);
        item.RelatedLinks.Clear();
        item.RelatedLinks.AddRange(parsed.Related.Select(ToLink));
        var topics = await ResolveTopicsAsync(parsed.Topics, actor, ct);
        item.Topics.Clear();
        item.Topics.AddRange(parsed.Topics.Select((t, i) => new ItemTopic { ItemId = id, TopicId = topics[TopicNames.Normalize(t)], Position = i }));
        // Pending revisions of an untouched item are superseded by the newer source.
        await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Dismissed), ct);
        item.SourceChanged = false;
        AuditLog.Add(db, actor, "item.source-updated", "item", id.ToString(), new { file = parsed.Document.Path, beforeHash = before, afterHash = hash });
    }

    // An editor's work is never overwritten: the new source waits as a pending revision.
    private async Task<bool> KeepRevisionAsync(long id, ParsedItem parsed, string hash, string actor, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.SourceRevisions.AnyAsync(r => r.ItemId == id && r.SourceHash == hash, ct))
        {
            return false;
        }
        await db.SourceRevisions.Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RevisionStatus.Dismissed), ct);
        db.SourceRevisions.Add(new SourceRevision
        {
            ItemId = id,
            FileName = Path.GetFileName(parsed.Document.Path),
            SourceYaml = parsed.Document.Yaml,
            SourceHash = hash,
            ReceivedAt = now,
            Status = RevisionStatus.Pending,
        });
        await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.SourceChanged, true), ct);
        AuditLog.Add(db, actor, "item.source-revision-received", "item", id.ToString(), new { file = parsed.Document.Path, hash });
        return true;
    }

    private static void Apply(Item item, ParsedItem parsed, string hash, DateTimeOffset now)
    {
        item.FileName = Path.GetFileName(parsed.Document.Path);
        item.Title = parsed.Title;
        item.Excerpt = parsed.Excerpt;
        item.Category = parsed.Category;
        item.Type = parsed.Type;
        item.ProviderName = parsed.ProviderName;
        item.ProviderDomain = parsed.ProviderDomain;
        item.PublishedAt = parsed.PublishedAt;
        item.WebUrl = parsed.WebUrl;
        item.Quality = parsed.Quality;
        item.Heat = parsed.Heat;
        item.State = parsed.Published ? WorkflowState.Published : WorkflowState.New;
        item.SourceYaml = parsed.Document.Yaml;
        item.SourceHash = hash;
        item.ImagesJson = JsonSerializer.Serialize(parsed.Images);
        item.UpdatedAt = now;
    }

    public const string UnsafeUrlReason = "unsafe URL";

    private static RelatedLink ToLink(ParsedRelated r) => new()
    {
        Position = r.Position,
        Title = r.Title,
        Excerpt = r.Excerpt,
        Url = r.Url,
        IsSafeUrl = r.IsSafeUrl,
        ProviderName = r.ProviderName,
        ProviderDomain = r.ProviderDomain,
        PublishedAt = r.PublishedAt,
        // A link that could never be rendered as a link is decided at once, with the reason.
        Decision = r.IsSafeUrl ? LinkDecision.Pending : LinkDecision.Rejected,
        Reason = r.IsSafeUrl ? null : UnsafeUrlReason,
    };

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

    // Unknown topics are created, marked as coming from import; returns lower-cased name -> id.
    private async Task<Dictionary<string, int>> ResolveTopicsAsync(IEnumerable<string> names, string actor, CancellationToken ct)
    {
        var byNormalized = new Dictionary<string, string>();
        foreach (var name in names)
        {
            byNormalized.TryAdd(TopicNames.Normalize(name), name);
        }
        if (byNormalized.Count == 0)
        {
            return [];
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var created = new List<(int Id, string Name)>();
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO topics (name, normalized_name, from_import, created_at)
            SELECT n, nn, true, now() FROM unnest(@names, @normalized) AS t(n, nn)
            ON CONFLICT (normalized_name) DO NOTHING
            RETURNING id, name
            """, conn))
        {
            insert.Parameters.AddWithValue("names", byNormalized.Values.ToArray());
            insert.Parameters.AddWithValue("normalized", byNormalized.Keys.ToArray());
            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                created.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, "topic.created", "topic", id.ToString(), new { name, fromImport = true });
        }
        var keys = byNormalized.Keys.ToList();
        return await db.Topics.AsNoTracking().Where(t => keys.Contains(t.NormalizedName))
            .ToDictionaryAsync(t => t.NormalizedName, t => t.Id, ct);
    }

    private async Task InsertAsync(List<Prepared> prepared, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var fresh = prepared.Select(p => p.Parsed).ToList();
        var ids = new List<long>(fresh.Count);
        await using (var cmd = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, @n)", conn))
        {
            cmd.Parameters.AddWithValue("n", fresh.Count);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        var topics = await ResolveTopicsAsync(fresh.SelectMany(f => f.Topics), actor, ct);
        // Audit rows for topics created above go out with this transaction too.
        await db.SaveChangesAsync(ct);

        await using (var items = await conn.BeginBinaryImportAsync(
            "COPY items (id, original_url, file_name, title, excerpt, category, type, provider_name, provider_domain, published_at, web_url, quality, heat, state, source_yaml, source_hash, images_json, imported_at, updated_at, source_changed) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < fresh.Count; i++)
            {
                var p = fresh[i];
                await items.StartRowAsync(ct);
                await items.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                await items.WriteAsync(p.NormalizedUrl, NpgsqlDbType.Text, ct);
                await items.WriteAsync(Path.GetFileName(p.Document.Path), NpgsqlDbType.Text, ct);
                await items.WriteAsync(p.Title, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.Excerpt, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.Category, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.Type, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.ProviderName, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.ProviderDomain, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.PublishedAt, NpgsqlDbType.TimestampTz, ct);
                await WriteNullable(items, p.WebUrl, NpgsqlDbType.Text, ct);
                await WriteNullable(items, p.Quality, NpgsqlDbType.Integer, ct);
                await WriteNullable(items, p.Heat, NpgsqlDbType.Integer, ct);
                await items.WriteAsync((p.Published ? WorkflowState.Published : WorkflowState.New).ToString(), NpgsqlDbType.Varchar, ct);
                await items.WriteAsync(p.Document.Yaml, NpgsqlDbType.Text, ct);
                await items.WriteAsync(prepared[i].Hash, NpgsqlDbType.Varchar, ct);
                await items.WriteAsync(prepared[i].ImagesJson, NpgsqlDbType.Jsonb, ct);
                await items.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await items.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await items.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            }
            await items.CompleteAsync(ct);
        }

        await using (var links = await conn.BeginBinaryImportAsync(
            "COPY related_links (item_id, position, title, excerpt, url, is_safe_url, provider_name, provider_domain, published_at, decision, reason) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < fresh.Count; i++)
            {
                foreach (var r in fresh[i].Related)
                {
                    var link = ToLink(r);
                    await links.StartRowAsync(ct);
                    await links.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                    await links.WriteAsync(link.Position, NpgsqlDbType.Integer, ct);
                    await WriteNullable(links, link.Title, NpgsqlDbType.Text, ct);
                    await WriteNullable(links, link.Excerpt, NpgsqlDbType.Text, ct);
                    await WriteNullable(links, link.Url, NpgsqlDbType.Text, ct);
                    await links.WriteAsync(link.IsSafeUrl, NpgsqlDbType.Boolean, ct);
                    await WriteNullable(links, link.ProviderName, NpgsqlDbType.Text, ct);
                    await WriteNullable(links, link.ProviderDomain, NpgsqlDbType.Text, ct);
                    await WriteNullable(links, link.PublishedAt, NpgsqlDbType.TimestampTz, ct);
                    await links.WriteAsync(link.Decision.ToString(), NpgsqlDbType.Varchar, ct);
                    await WriteNullable(links, link.Reason, NpgsqlDbType.Text, ct);
                }
            }
            await links.CompleteAsync(ct);
        }

        await using (var itemTopics = await conn.BeginBinaryImportAsync("COPY item_topics (item_id, topic_id, position) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < fresh.Count; i++)
            {
                var position = 0;
                foreach (var topic in fresh[i].Topics)
                {
                    await itemTopics.StartRowAsync(ct);
                    await itemTopics.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                    await itemTopics.WriteAsync(topics[TopicNames.Normalize(topic)], NpgsqlDbType.Integer, ct);
                    await itemTopics.WriteAsync(position++, NpgsqlDbType.Integer, ct);
                }
            }
            await itemTopics.CompleteAsync(ct);
        }

        await using (var audit = await conn.BeginBinaryImportAsync("COPY audit_events (at, actor, action, entity_type, entity_id, data) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < fresh.Count; i++)
            {
                await audit.StartRowAsync(ct);
                await audit.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await audit.WriteAsync(actor, NpgsqlDbType.Varchar, ct);
                await audit.WriteAsync("item.imported", NpgsqlDbType.Varchar, ct);
                await audit.WriteAsync("item", NpgsqlDbType.Varchar, ct);
                await audit.WriteAsync(ids[i].ToString(), NpgsqlDbType.Varchar, ct);
                await audit.WriteAsync(JsonSerializer.Serialize(new { file = fresh[i].Document.Path }), NpgsqlDbType.Jsonb, ct);
            }
            await audit.CompleteAsync(ct);
        }
    }

    private static Task WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(value, type, ct);

    private static Task WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, ct) : importer.WriteNullAsync(ct);
}
