using System.Diagnostics;
using System.Globalization;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench import --items N --attribute: what each piece of the schema costs a COPY of the
// importer's rows. The rows (with their story keys, as grouping leaves them) are prepared once;
// then, round after round, each variant is a copy of one migrated database (CREATE DATABASE ...
// TEMPLATE) with one piece removed, and only the COPY of the same rows (items, related links,
// topic links, unsealed audit events, one transaction, then the merge of
// the GIN indexes' pending lists) is timed. Variants are interleaved, so
// a change in the machine's load spreads over all of them; the median of the rounds is printed.
public static partial class ImportBench
{
    // Vectors: whether the items' search vectors come in sealed, computed beforehand, as the
    // importer sends them (SearchVectors); otherwise the COPY's backend computes them.
    private sealed record Variant(string Name, string Sql, bool Audit = true, bool Floor = false, bool Vectors = true);

    // The trigger that keeps search_vector (migration SearchVectorSeal) goes with the column.
    private const string DropVectorTriggers = "DROP TRIGGER items_search_vector_insert ON items; DROP TRIGGER items_search_vector_update ON items; DROP TRIGGER items_search_vector_supplied ON items;";

    private static async Task AttributeAsync(int n, string server, string corpus, string stamp, int rounds, bool perIndex, string[] only, CancellationToken ct)
    {
        var prepDb = $"cms_bench_attr_prep_{stamp}";
        var templateDb = $"cms_bench_attr_tpl_{stamp}";
        var variantDb = $"cms_bench_attr_v_{stamp}";
        try
        {
            var prepCs = await BenchSupport.CreateDatabaseAsync(server, prepDb, ct);
            var (items, vectors, audit) = await PrepareRowsAsync(prepCs, server, templateDb, corpus, ct);
            var variants = await VariantsAsync(new NpgsqlConnectionStringBuilder(server) { Database = templateDb }.ConnectionString, perIndex, ct);
            variants = variants.Where((v, i) => i == 0 || only.Length == 0 || only.Any(o => v.Name.Contains(o, StringComparison.OrdinalIgnoreCase))).ToList();
            var seconds = variants.ToDictionary(v => v.Name, _ => new List<double>());
            var cpu = variants.ToDictionary(v => v.Name, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var variant in variants)
                {
                    NpgsqlConnection.ClearAllPools();
                    await PostgresAdmin.DropDatabaseAsync(server, variantDb, ct);
                    await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {variantDb} TEMPLATE {templateDb}", ct);
                    var (s, backend) = await CopyVariantAsync(new NpgsqlConnectionStringBuilder(server) { Database = variantDb }.ConnectionString, variant, items, vectors, audit, ct);
                    seconds[variant.Name].Add(s);
                    cpu[variant.Name].Add(backend);
                    Console.WriteLine(FormattableString.Invariant($"round {round + 1}: {variant.Name}: {s:F2} s, backend CPU {backend:F2} s (load {LoadAverage()})"));
                }
            }

            var full = Median(seconds[variants[0].Name]);
            var fullCpu = Median(cpu[variants[0].Name]);
            Console.WriteLine();
            Console.WriteLine($"COPY of {n} items' rows (items, related links, topic links, audit events), median of {rounds} rounds:");
            Console.WriteLine("| schema | s | saved s | share of the full schema | backend CPU s | saved CPU s | saved CPU µs an item |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var variant in variants)
            {
                var median = Median(seconds[variant.Name]);
                var medianCpu = Median(cpu[variant.Name]);
                Console.WriteLine(FormattableString.Invariant(
                    $"| {variant.Name} | {median:F2} | {full - median:F2} | {(full - median) / full:P0} | {medianCpu:F2} | {fullCpu - medianCpu:F2} | {(fullCpu - medianCpu) * 1e6 / n:F1} |"));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresAdmin.DropDatabaseAsync(server, variantDb, CancellationToken.None);
            await PostgresAdmin.DropDatabaseAsync(server, templateDb, CancellationToken.None);
            await PostgresAdmin.DropDatabaseAsync(server, prepDb, CancellationToken.None);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // The corpus's topics go into the prepared database, which then becomes the template (no items
    // yet); the items are then grouped and stored in the prepared database batch by batch, as the
    // importer does, so each later batch is grouped against the earlier ones.
    private static async Task<(List<Item> Items, List<SealedVector?> Vectors, List<(AuditRecord Record, string Payload)> Audit)> PrepareRowsAsync(
        string prepCs, string server, string templateDb, string corpus, CancellationToken ct)
    {
        var items = new List<Item>();
        var audit = new List<(AuditRecord, string)>();
        using var host = CliHost.Build(prepCs);
        var parser = host.Services.CreateScope().ServiceProvider.GetRequiredService<ImportParser>();
        var prepared = new List<PreparedItem>();
        foreach (var path in Directory.EnumerateFiles(corpus).Order(StringComparer.Ordinal))
        {
            prepared.Add(parser.Parse(path, await File.ReadAllBytesAsync(path, ct)).Item!);
        }
        var stories = host.Services.GetRequiredService<StoryGrouping>();
        stories.Prepare(prepared);
        var actor = Actor.System("bench");
        Dictionary<string, int> topicIds;
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            topicIds = (await scope.ServiceProvider.GetRequiredService<TopicVocabulary>().EnsureFromImportAsync(actor, prepared.SelectMany(p => p.Parsed.Topics), itemIds: 0, ct)).TopicIds;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        NpgsqlConnection.ClearAllPools();
        await PostgresAdmin.DropDatabaseAsync(server, templateDb, ct);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {templateDb} TEMPLATE {new NpgsqlConnectionStringBuilder(prepCs).Database}", ct);

        var now = DateTimeOffset.UtcNow;
        await using var conn = new NpgsqlConnection(prepCs);
        await conn.OpenAsync(ct);
        // Sealed with the template's key (the variants are its copies), before any item is stored.
        await SearchVectors.ComputeAsync(conn, prepared, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ct);
        var vectors = prepared.Select(p => p.SearchVector).ToList();
        long nextId = 1;
        foreach (var chunk in prepared.Chunk(ImportOptions.DefaultBatchFiles))
        {
            var batch = new List<Item>(chunk.Length);
            foreach (var p in chunk)
            {
                var item = ItemRows.NewItem(nextId, p, now);
                item.Topics.AddRange(ItemRows.Topics(nextId, p.Parsed.Topics, topicIds));
                nextId++;
                batch.Add(item);
                audit.Add((AuditLog.Record(actor, AuditActions.ItemImported, AuditTargets.Item, item.Id.ToString(CultureInfo.InvariantCulture),
                    AuditRecord.SerializeData(new { file = p.Parsed.Document.Path, state = item.State.ToString() }), now), ""));
            }
            await using var tx = await conn.BeginTransactionAsync(ct);
            await stories.AssignAsync(conn, batch, chunk.Select(c => c.StoryTerms).ToList(), ct);
            await ItemCopy.WriteAsync(conn, batch, ct);
            await tx.CommitAsync(ct);
            // Off the clock: keeps grouping's candidate search on its index while the table grows
            // from nothing (autovacuum may not have analysed it yet on a busy machine).
            await using (var analyse = new NpgsqlCommand("ANALYZE items", conn))
            {
                await analyse.ExecuteNonQueryAsync(ct);
            }
            items.AddRange(batch);
        }
        return (items, vectors, audit.Select(a => (a.Item1, a.Item1.ToPayload())).ToList());
    }

    // The full schema first, then one piece (or one group of like pieces) removed at a time, then
    // the plain tables of the floor. perIndex: every secondary index on its own as well (each is
    // a few percent, below this machine's noise unless the rounds are many).
    private static async Task<List<Variant>> VariantsAsync(string templateCs, bool perIndex, CancellationToken ct)
    {
        var variants = new List<Variant>
        {
            new("full schema (as migrated), vectors supplied as the importer sends them", ""),
            new("full schema, vectors computed by the COPY (the trigger)", "", Vectors: false),
        };
        if (perIndex)
        {
            await using var conn = new NpgsqlConnection(templateCs);
            await conn.OpenAsync(ct);
            await using (var cmd = new NpgsqlCommand("""
                SELECT c.relname, i.relname, am.amname
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam
                WHERE c.relname IN ('items', 'related_links', 'item_topics', 'audit_events') AND NOT x.indisprimary
                ORDER BY c.relname DESC, i.relname
                """, conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    variants.Add(new($"no {reader.GetString(0)}.{reader.GetString(1)} ({reader.GetString(2)})", $"DROP INDEX {reader.GetString(1)}"));
                }
            }
            NpgsqlConnection.ClearPool(conn);
        }
        variants.AddRange(
        [
            new("no search_vector (nor its trigger, nor its GIN)", $"{DropVectorTriggers} ALTER TABLE items DROP COLUMN search_vector"),
            new("no GIN on search_vector (the vector still supplied)", "DROP INDEX ix_items_search_vector"),
            new("GIN on search_vector without fastupdate", "ALTER INDEX ix_items_search_vector SET (fastupdate = off)"),
            new("GIN on search_vector with a 64 MiB pending list", "ALTER INDEX ix_items_search_vector SET (gin_pending_list_limit = 65536)"),
            new("GIN on search_vector with the default 4 MB pending list", "ALTER INDEX ix_items_search_vector RESET (gin_pending_list_limit)"),
            new("both GINs of items with a 64 MiB pending list (search_vector, provider_search)",
                "ALTER INDEX ix_items_search_vector SET (gin_pending_list_limit = 65536); ALTER INDEX ix_items_provider_search SET (gin_pending_list_limit = 65536)"),
            new("no generated provider_search (nor its GIN)", "ALTER TABLE items DROP COLUMN provider_search"),
            new("no queue partial B-trees of items (5: date, quality, heat, category, received)",
                "DROP INDEX ix_items_queue_date, ix_items_queue_quality, ix_items_queue_heat, ix_items_queue_category_date, ix_items_queue_received"),
            new("no whole-table B-trees of items (5: state+date, state+received, category+date, quality, heat)",
                "DROP INDEX ix_items_state_published_at_id, ix_items_state_imported_at_id, ix_items_category_published_at, ix_items_quality_id, ix_items_heat_id"),
            new("no other B-trees of items (story_id, output_file, publish_at, source_changed)",
                "DROP INDEX ix_items_story_id, ix_items_output_file, ix_items_publish_at, ix_items_source_changed"),
            new("no unique URL index of items", "DROP INDEX ix_items_original_url"),
            new("no secondary indexes of related_links (5)",
                "DROP INDEX ix_related_links_identity_unset, ix_related_links_item_id_identity, ix_related_links_item_id_position, ix_related_links_merged_from_item_id, ix_related_links_pending"),
            new("no secondary index of item_topics", "DROP INDEX ix_item_topics_topic_id_item_id"),
            new("no secondary indexes of audit_events (7)",
                "DROP INDEX ix_audit_events_actor_trigram, ix_audit_events_at, ix_audit_events_by_action, ix_audit_events_by_actor, ix_audit_events_seq, ix_audit_events_target, ix_audit_events_unsealed"),
            new("no trigram GIN of audit_events.actor", "DROP INDEX ix_audit_events_actor_trigram"),
            new("no audit rows at all", "", Audit: false),
            new("no foreign keys of related_links and item_topics", "ALTER TABLE related_links DROP CONSTRAINT fk_related_links_items_item_id; ALTER TABLE item_topics DROP CONSTRAINT fk_item_topics_items_item_id, DROP CONSTRAINT fk_item_topics_topics_topic_id"),
            new("no triggers (count, live, audit writers' guard)", "DROP TRIGGER items_count_insert ON items; DROP TRIGGER items_arrived_live ON items; DROP TRIGGER audit_events_unsealed ON audit_events"),
            new("source_yaml compressed with pglz instead of lz4", "ALTER TABLE items ALTER COLUMN source_yaml SET COMPRESSION pglz"),
            // What migration ImportWriteCost changed, put back: the supplied vectors' seal checked by
            // the row trigger, and pglz for items' other compressible columns.
            new("seal checked per row (before ImportWriteCost)", """
                DROP TRIGGER items_search_vector_supplied ON items; DROP TRIGGER items_search_vector_insert ON items;
                CREATE TRIGGER items_search_vector_insert BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_search_vector();
                """),
            new("pglz for items' vector, images, excerpt, title (before ImportWriteCost)",
                "ALTER TABLE items ALTER COLUMN search_vector SET COMPRESSION pglz, ALTER COLUMN images_json SET COMPRESSION pglz, ALTER COLUMN excerpt SET COMPRESSION pglz, ALTER COLUMN title SET COMPRESSION pglz"),
            new("search vector kept in the row, never out of line (STORAGE MAIN)", "ALTER TABLE items ALTER COLUMN search_vector SET STORAGE MAIN"),
            // PostgreSQL 15 COPYs in batches (heap_multi_insert) only into a table without BEFORE ROW
            // triggers: what the items' vector trigger and the audit rows' guard cost in that way.
            new("no BEFORE INSERT trigger on items (batched COPY; vectors supplied, seals still checked)", "DROP TRIGGER items_search_vector_insert ON items"),
            new("no BEFORE INSERT guard on audit_events (batched COPY)", "DROP TRIGGER audit_events_unsealed ON audit_events"),
            new("source_yaml stored uncompressed (EXTERNAL)", "ALTER TABLE items ALTER COLUMN source_yaml SET STORAGE EXTERNAL"),
            new("items fillfactor 90 (default 100)", "ALTER TABLE items SET (fillfactor = 90)"),
            new("only the primary keys, the unique URL and (item, position) of links", """
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
                           WHERE c.relname IN ('items', 'related_links', 'item_topics', 'audit_events') AND NOT x.indisprimary
                             AND i.relname NOT IN ('ix_items_original_url', 'ix_related_links_item_id_position') LOOP
                    EXECUTE format('DROP INDEX %I', r.relname);
                  END LOOP; END $$;
                DROP TRIGGER items_search_vector_insert ON items; DROP TRIGGER items_search_vector_update ON items; DROP TRIGGER items_search_vector_supplied ON items;
                ALTER TABLE items DROP COLUMN search_vector, DROP COLUMN provider_search;
                DROP TRIGGER items_count_insert ON items; DROP TRIGGER items_arrived_live ON items; DROP TRIGGER audit_events_unsealed ON audit_events;
                """),
            new("storage floor (plain tables: items and related links only)", FloorSchema, Audit: false, Floor: true),
        ]);
        return variants;
    }

    // The wall time and the CPU of the COPY's backend (the machine's load moves the first, much less the second).
    private static async Task<(double Seconds, double BackendCpu)> CopyVariantAsync(string cs, Variant variant, List<Item> items, List<SealedVector?> vectors, List<(AuditRecord Record, string Payload)> audit, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        if (variant.Sql.Length > 0)
        {
            await using var setup = new NpgsqlCommand(variant.Sql, conn);
            await setup.ExecuteNonQueryAsync(ct);
        }
        int pid;
        await using (var backend = new NpgsqlCommand("SELECT pg_backend_pid()", conn))
        {
            pid = (int)(await backend.ExecuteScalarAsync(ct))!;
        }
        // Statistics and caches warm the same way for every variant: nothing read before the clock.
        var cpuBefore = ProcCpu.RunSeconds(pid) ?? double.NaN;
        var clock = Stopwatch.StartNew();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var dropped = variant.Sql.Contains("DROP COLUMN search_vector", StringComparison.Ordinal);
        for (var start = 0; start < items.Count; start += BaselineBatch)
        {
            var chunk = items.GetRange(start, Math.Min(BaselineBatch, items.Count - start));
            if (variant.Floor)
            {
                await CopyFloorAsync(conn, chunk, ct);
                continue;
            }
            await ItemCopy.WriteAsync(conn, chunk, variant.Vectors && !dropped ? vectors.GetRange(start, chunk.Count) : null, ct);
        }
        if (variant.Audit)
        {
            await AuditRows.CopyUnsealedAsync(conn, audit, ct);
        }
        await tx.CommitAsync(ct);
        // What the GIN indexes still hold in their pending lists is merged on the clock too, so a
        // variant that defers the merge (a longer pending list) is charged for it.
        await using (var merge = new NpgsqlCommand(
            "SELECT count(gin_clean_pending_list(x.indexrelid)) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam WHERE am.amname = 'gin'", conn))
        {
            await merge.ExecuteScalarAsync(ct);
        }
        return (clock.Elapsed.TotalSeconds, (ProcCpu.RunSeconds(pid) ?? double.NaN) - cpuBefore);
    }
}
