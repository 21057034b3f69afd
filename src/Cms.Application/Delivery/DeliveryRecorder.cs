using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cms.Application.Auditing;
using Cms.Application.Exporting;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Cms.Core.Text;

namespace Cms.Application.Delivery;

// Records, in the transaction of the workflow move, what every target will deliver: the item
// rendered once (the file the folder gets, and the same fields as JSON for the API, the feeds and
// the webhooks) under its next version, and one webhook message per event with a delivery row per
// subscribed endpoint. Nothing is delivered that was not committed, and nothing committed is lost:
// the workers only send what these rows say.
public sealed class DeliveryRecorder(CmsDbContext db, ItemExporter exporter, IFrontMatterReader reader)
{
    // The cursor lock: held from the first delivery row of a transaction to its commit, so delivery_seq
    // values become visible in the order they were taken (a reader following `after=` never sees 7
    // before 6 commits). Only transactions that record deliveries take it; audit events take no lock.
    public const long CursorLockKey = 0x636d735f646c76; // "cms_dlv"

    public const string Channel = "cms_webhooks";

    // An output change in the audit event is cut to this many characters per value.
    public const int MaxAuditValue = 2000;

    public sealed record Recorded(long ItemId, string Event, int Version);

    private sealed record Previous(int Version, bool Withdrawn, string? Document);

    // moves: the items whose move writes or removes output (the batch's jobs), with their move.
    public async Task<IReadOnlyList<Recorded>> RecordAsync(Actor actor, IReadOnlyList<(long ItemId, WorkflowAction Action)> moves, DateTimeOffset now, CancellationToken ct)
    {
        if (moves.Count == 0)
        {
            return [];
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({CursorLockKey})", ct);
        var ids = moves.Select(m => m.ItemId).Distinct().ToList();
        var previous = await db.PublishedItems.AsNoTracking().Where(p => ids.Contains(p.ItemId))
            .Select(p => new { p.ItemId, p.Version, p.Withdrawn, p.Document })
            .ToDictionaryAsync(p => p.ItemId, p => new Previous(p.Version, p.Withdrawn, p.Document), ct);
        // The last move of an item in this transaction decides what it delivers.
        var last = moves.GroupBy(m => m.ItemId).ToDictionary(g => g.Key, g => Workflow.Get(g.Last().Action).Output);
        var writes = last.Where(l => l.Value == OutputEffect.Write).Select(l => l.Key).ToList();
        var removes = last.Where(l => l.Value == OutputEffect.Remove && previous.TryGetValue(l.Key, out var p) && !p.Withdrawn).Select(l => l.Key).ToList();

        var rows = new List<Row>();
        var failed = new List<(long ItemId, ReadProblem Problem)>();
        if (writes.Count > 0)
        {
            var prepared = await exporter.PrepareAsync(await exporter.RowsAsync(writes, ct), ct);
            // A stored source the reader now refuses (a merge key stored before that rule) records no
            // version: what sites see stays as it was (the previous version, or nothing), the move
            // still commits with the others, and that item's job fails here with the reader's reason.
            foreach (var (p, rendered) in prepared.AsParallel().AsOrdered().Select(p => (p, Render(p, previous.GetValueOrDefault(p.Row.Id)))))
            {
                if (rendered.Row is { } row)
                {
                    rows.Add(row);
                }
                else
                {
                    failed.Add((p.Row.Id, rendered.Problem!));
                }
            }
        }
        if (failed.Count > 0)
        {
            await FailJobsAsync(conn, actor, failed, moves, now, ct);
        }
        rows.AddRange(removes.Select(id => new Row(id, DeliveryEvents.Withdrawn, null, null, null, null, [], [])));
        if (rows.Count == 0)
        {
            return [];
        }
        var versions = await UpsertAsync(conn, rows, now, ct);
        var recorded = rows.Select(r => new Recorded(r.ItemId, r.Event, versions[r.ItemId].Version)).ToList();
        await AuditLog.CopyAsync(conn, actor, AuditActions.DeliveryVersionRecorded, AuditTargets.Item,
            rows.Select(r => (r.ItemId.ToString(), (object?)new { @event = r.Event, version = versions[r.ItemId].Version, sha256 = r.Hash, changes = r.Changes })), now, ct);
        // The stored changed_at (a correction in the same second is moved to the next), so a webhook
        // names the version's time exactly as the API and the feeds do.
        await WebhookOutbox.EnqueueAsync(conn, rows.Select(r => new WebhookOutbox.Event(r.ItemId, versions[r.ItemId].Version, r.Event, r.Document, versions[r.ItemId].ChangedAt)).ToList(), now, ct);
        return recorded;
    }

    private sealed record Row(long ItemId, string Event, string? Output, string? Hash, string? Document, string? Category, string[] Topics, IReadOnlyList<object> Changes);

    private (Row? Row, ReadProblem? Problem) Render(ItemExporter.Prepared prepared, Previous? before)
    {
        string output;
        try
        {
            output = exporter.Render(prepared);
        }
        catch (FrontMatterException ex)
        {
            return (null, ex.Problem);
        }
        var root = reader.ReadText(prepared.Row.FileName, output).Root;
        var document = SourceJson.Serialize(root);
        var mapping = root as SourceMapping;
        var category = mapping?["category"] is SourceScalar { IsNull: false } c ? c.Value : null;
        var topics = mapping?["topics"] is SourceSequence s ? s.Items.OfType<SourceScalar>().Select(t => t.Value).ToArray() : [];
        var live = before is { Withdrawn: false };
        return (new Row(prepared.Row.Id, live ? DeliveryEvents.Corrected : DeliveryEvents.Published, output,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(output))), document,
            category is null ? null : UnicodeText.Clip(category, 200, ""), topics,
            live ? Changes(before!.Document, document) : []), null);
    }

    // The jobs this transaction queued for items that could not be rendered fail at once (a retry of
    // the same stored source fails the same way; the worker would otherwise write the previous
    // version as if the move had delivered), with the reader's file, line, field and reason, on the
    // item page and in the audit trail. The move itself stands: correcting again once the source is
    // fixed (a revision accepted) renders again.
    private static async Task FailJobsAsync(NpgsqlConnection conn, Actor actor, List<(long ItemId, ReadProblem Problem)> failed, IReadOnlyList<(long ItemId, WorkflowAction Action)> moves, DateTimeOffset now, CancellationToken ct)
    {
        var errors = failed.ToDictionary(f => f.ItemId, f => Message(f.Problem));
        var jobs = new Dictionary<long, (List<long> Ids, string? File)>();
        await using (var update = new NpgsqlCommand("""
            UPDATE publish_jobs AS j SET status = 'Failed', attempts = 1, last_error = u.error, completed_at = @now, file_name = i.output_file
            FROM unnest(@ids, @errors) AS u(item_id, error), items AS i
            WHERE j.item_id = u.item_id AND i.id = u.item_id AND j.status = 'Pending' AND j.xmin = pg_current_xact_id()::xid
            RETURNING j.item_id, j.id, j.file_name
            """, conn))
        {
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("ids", errors.Keys.ToArray());
            update.Parameters.AddWithValue("errors", errors.Values.ToArray());
            await using var reader = await update.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var itemId = reader.GetInt64(0);
                var entry = jobs.TryGetValue(itemId, out var e) ? e : jobs[itemId] = ([], reader.IsDBNull(2) ? null : reader.GetString(2));
                entry.Ids.Add(reader.GetInt64(1));
            }
        }
        var last = moves.GroupBy(m => m.ItemId).ToDictionary(g => g.Key, g => g.Last().Action);
        await AuditLog.CopyAsync(conn, actor, AuditActions.PublishOutputFailed, AuditTargets.Item,
            failed.Select(f => (f.ItemId.ToString(), (object?)new
            {
                file = jobs.GetValueOrDefault(f.ItemId).File,
                source = f.Problem.Path,
                line = f.Problem.Line,
                field = f.Problem.Field,
                reason = f.Problem.Reason,
                error = errors[f.ItemId],
                move = last[f.ItemId].ToString(),
                jobs = jobs.GetValueOrDefault(f.ItemId).Ids ?? [],
                delivered = "unchanged",
            })), now, ct);
    }

    public static string Message(ReadProblem problem) =>
        $"the item could not be rendered, so nothing was delivered and what sites show is unchanged: {problem}";

    // What a correction changed in the delivered item, field by field (top-level keys of the format).
    public static IReadOnlyList<object> Changes(string? beforeJson, string afterJson)
    {
        var before = beforeJson is null ? new JsonObject() : JsonNode.Parse(beforeJson)!.AsObject();
        var after = JsonNode.Parse(afterJson)!.AsObject();
        var keys = before.Select(p => p.Key).Concat(after.Select(p => p.Key)).Distinct(StringComparer.Ordinal);
        var changes = new List<object>();
        foreach (var key in keys)
        {
            var b = before[key];
            var a = after[key];
            if (!JsonNode.DeepEquals(b, a))
            {
                changes.Add(new { field = key, before = Cut(b), after = Cut(a) });
            }
        }
        return changes;
    }

    private static string? Cut(JsonNode? node)
    {
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();
        return text is null ? null : UnicodeText.Clip(text, MaxAuditValue);
    }

    private static async Task<Dictionary<long, (int Version, DateTimeOffset ChangedAt)>> UpsertAsync(NpgsqlConnection conn, List<Row> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO published_items AS p (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, topic_keys, document, output, output_hash)
            SELECT u.item_id, 1, u.withdrawn, nextval('delivery_seq'), @now, @now, u.category, coalesce(u.topics::text[], '{}'), coalesce(u.topic_keys::text[], '{}'), u.document, u.output, u.hash
            FROM (SELECT * FROM unnest(@ids, @withdrawn, @categories, @topics, @topic_keys, @documents, @outputs, @hashes)
              AS x(item_id, withdrawn, category, topics, topic_keys, document, output, hash) ORDER BY x.item_id) AS u
            ON CONFLICT (item_id) DO UPDATE SET version = p.version + 1, withdrawn = excluded.withdrawn, seq = excluded.seq,
              -- Feeds and HTTP dates carry whole seconds: a new version always shows a later second,
              -- or a reader that compares `updated` would miss a correction made within the same one.
              changed_at = greatest(excluded.changed_at, date_trunc('second', p.changed_at) + interval '1 second'),
              category = CASE WHEN excluded.withdrawn THEN p.category ELSE excluded.category END,
              topics = CASE WHEN excluded.withdrawn THEN p.topics ELSE excluded.topics END,
              topic_keys = CASE WHEN excluded.withdrawn THEN p.topic_keys ELSE excluded.topic_keys END,
              document = excluded.document, output = excluded.output, output_hash = excluded.output_hash
            RETURNING item_id, version, changed_at
            """, conn);
        upsert.Parameters.AddWithValue("now", now);
        upsert.Parameters.AddWithValue("ids", rows.Select(r => r.ItemId).ToArray());
        upsert.Parameters.AddWithValue("withdrawn", rows.Select(r => r.Event == DeliveryEvents.Withdrawn).ToArray());
        Texts(upsert, "categories", rows.Select(r => r.Category));
        // A text[] per row travels as its array literal (unnest flattens nested arrays).
        Texts(upsert, "topics", rows.Select(r => r.Event == DeliveryEvents.Withdrawn ? null : ArrayLiteral(r.Topics)));
        Texts(upsert, "topic_keys", rows.Select(r => r.Event == DeliveryEvents.Withdrawn ? null : ArrayLiteral(r.Topics.Select(TopicNames.Normalize))));
        Texts(upsert, "documents", rows.Select(r => r.Document));
        Texts(upsert, "outputs", rows.Select(r => r.Output));
        Texts(upsert, "hashes", rows.Select(r => r.Hash));
        var versions = new Dictionary<long, (int, DateTimeOffset)>();
        await using var reader = await upsert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetInt64(0)] = (reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        return versions;
    }

    private static string ArrayLiteral(IEnumerable<string> values) =>
        "{" + string.Join(",", values.Select(v => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")) + "}";

    internal static void Texts(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values.ToArray() });
}
