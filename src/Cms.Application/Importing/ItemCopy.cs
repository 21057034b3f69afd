using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Importing;

// Binary COPY of new items with their related links and topics: the fast path for new files.
// The column lists live here only; the import benchmark's baseline uses the same writer.
public static class ItemCopy
{
    // @n new item ids, the items table's sequence looked up once: pg_get_serial_sequence is STABLE,
    // so written inside nextval(...) it was evaluated (a pg_depend search and a text-to-regclass
    // cast) for every id, about 4.5 µs an id against 0.7 (issue 23 Build 6, fifth pass).
    public const string NewItemIds = """
        (SELECT nextval(s.seq) AS id
         FROM (SELECT pg_get_serial_sequence('items', 'id')::regclass AS seq OFFSET 0) s, generate_series(1, @n))
        """;

    public static async Task<List<long>> ReserveIdsAsync(NpgsqlConnection conn, int count, CancellationToken ct)
    {
        var ids = new List<long>(count);
        await using var cmd = new NpgsqlCommand($"SELECT id FROM {NewItemIds} AS ids", conn);
        cmd.Parameters.AddWithValue("n", count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    // Items, then their related links and topic links (each item's collections). vectors, when
    // given, holds each item's sealed search vector (or null: the trigger computes it).
    public static Task WriteAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, CancellationToken ct) =>
        WriteAsync(conn, items, null, ct);

    public static async Task WriteAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<SealedVector?>? vectors, CancellationToken ct)
    {
        await WriteItemsAsync(conn, items, "items", vectors, ct);
        await WriteLinksAsync(conn, items.SelectMany(i => i.RelatedLinks), "related_links", ct);
        await WriteTopicsAsync(conn, items.SelectMany(i => i.Topics), ct);
    }

    // The table is a parameter so the import benchmark can write the same rows into plain tables.
    public static Task WriteItemsAsync(NpgsqlConnection conn, IEnumerable<Item> items, string table, CancellationToken ct) =>
        WriteItemsAsync(conn, items, table, null, ct);

    public static async Task WriteItemsAsync(NpgsqlConnection conn, IEnumerable<Item> items, string table, IReadOnlyList<SealedVector?>? vectors, CancellationToken ct)
    {
        var vectorColumns = vectors is null ? "" : ", search_vector, search_vector_seal";
        var n = 0;
        await using (var copy = await conn.BeginBinaryImportAsync(
            $"COPY {table} (id, original_url, file_name, title, excerpt, category, type, provider_name, provider_domain, published_at, web_url, quality, heat, state, source_yaml, source_hash, images_json, imported_at, updated_at, source_changed, story_id, story_sim_hash, story_keys, story_term_ids{vectorColumns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var i in items)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(i.Id, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(i.OriginalUrl, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(i.FileName, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(i.Title, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.Excerpt, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.Category, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.Type, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.ProviderName, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.ProviderDomain, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.PublishedAt, NpgsqlDbType.TimestampTz, ct);
                await Nullable(copy, i.WebUrl, NpgsqlDbType.Text, ct);
                await Nullable(copy, i.Quality, NpgsqlDbType.Integer, ct);
                await Nullable(copy, i.Heat, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(i.State.ToString(), NpgsqlDbType.Varchar, ct);
                // The import's bytes as read: a binary COPY field of a text column is its UTF-8
                // bytes, which the server checks as it checks text.
                await (i.SourceYamlUtf8 is { } utf8 ? copy.WriteAsync(utf8, NpgsqlDbType.Bytea, ct) : copy.WriteAsync(i.SourceYaml, NpgsqlDbType.Text, ct));
                await copy.WriteAsync(i.SourceHash, NpgsqlDbType.Varchar, ct);
                await Nullable(copy, i.ImagesJson, NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(i.ImportedAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(i.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(i.SourceChanged, NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(i.StoryId, NpgsqlDbType.Bigint, ct);
                await Nullable(copy, i.StorySimHash, NpgsqlDbType.Bigint, ct);
                await Nullable(copy, i.StoryKeys, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
                await Nullable(copy, i.StoryTermIds, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct);
                if (vectors is not null)
                {
                    // The vector in PostgreSQL's own binary form (tsvectorsend, as SearchVectors
                    // read it): a binary COPY field is the column type's receive format, so the
                    // bytes go in unchanged, never parsed here.
                    var sealedVector = vectors[n];
                    await Nullable(copy, sealedVector?.Vector, NpgsqlDbType.Bytea, ct);
                    await Nullable(copy, sealedVector?.Seal, NpgsqlDbType.Bytea, ct);
                }
                n++;
            }
            await copy.CompleteAsync(ct);
        }
    }

    public static async Task WriteLinksAsync(NpgsqlConnection conn, IEnumerable<RelatedLink> links, string table, CancellationToken ct)
    {
        await using (var copy = await conn.BeginBinaryImportAsync(
            $"COPY {table} (item_id, position, title, excerpt, url, is_safe_url, provider_name, provider_domain, published_at, decision, reason, quality, image_url, identity) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var link in links)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(link.ItemId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(link.Position, NpgsqlDbType.Integer, ct);
                await Nullable(copy, link.Title, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.Excerpt, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.Url, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(link.IsSafeUrl, NpgsqlDbType.Boolean, ct);
                await Nullable(copy, link.ProviderName, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.ProviderDomain, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.PublishedAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(link.Decision.ToString(), NpgsqlDbType.Varchar, ct);
                await Nullable(copy, link.Reason, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.Quality, NpgsqlDbType.Integer, ct);
                await Nullable(copy, link.ImageUrl, NpgsqlDbType.Text, ct);
                await Nullable(copy, link.Identity, NpgsqlDbType.Text, ct);
            }
            await copy.CompleteAsync(ct);
        }
    }

    public static async Task WriteTopicsAsync(NpgsqlConnection conn, IEnumerable<ItemTopic> topics, CancellationToken ct)
    {
        await using (var copy = await conn.BeginBinaryImportAsync("COPY item_topics (item_id, topic_id, position) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var topic in topics)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(topic.ItemId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(topic.TopicId, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(topic.Position, NpgsqlDbType.Integer, ct);
            }
            await copy.CompleteAsync(ct);
        }
    }

    internal static Task Nullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(value, type, ct);

    internal static Task Nullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, ct) : importer.WriteNullAsync(ct);
}
