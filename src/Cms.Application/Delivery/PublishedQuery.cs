using System.Globalization;
using Cms.Application.ReadOnly;
using Cms.Application.Topics;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Delivery;

// What consuming sites read: the delivered versions (published_items), by cursor for mirrors and
// newest first for feeds. Straight SQL over one table and its indexes; the document is passed
// through as stored. Reads the standby when one is configured and fresh enough (CmsReadOnlyDbContext):
// a consuming site may see a publication up to ReadOnly:MaxLagSeconds late.
public sealed class PublishedQuery(CmsReadOnlyDbContext db, StandbyRouting standby)
{
    public const int DefaultPage = 100;
    public const int MaxPage = 1000;

    public sealed record Entry(long Id, int Version, bool Withdrawn, long Seq, DateTimeOffset ChangedAt, DateTimeOffset FirstPublishedAt, string? Document);

    public static string Cursor(long seq) => seq.ToString(CultureInfo.InvariantCulture);

    // A cursor is the decimal seq of the last entry seen; "" or absent is the start.
    public static bool TryParseCursor(string? text, out long seq)
    {
        seq = 0;
        return string.IsNullOrEmpty(text) || (text.Length <= 19 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seq));
    }

    // Entries changed after the cursor, in cursor order.
    public Task<List<Entry>> AfterAsync(long after, int limit, CancellationToken ct) =>
        ReadAsync("SELECT item_id, version, withdrawn, seq, changed_at, first_published_at, document FROM published_items WHERE seq > @after ORDER BY seq LIMIT @limit",
            c =>
            {
                c.Parameters.AddWithValue("after", after);
                c.Parameters.AddWithValue("limit", limit);
            }, ct);

    public async Task<Entry?> OneAsync(long id, CancellationToken ct) =>
        (await ReadAsync("SELECT item_id, version, withdrawn, seq, changed_at, first_published_at, document FROM published_items WHERE item_id = @id",
            c => c.Parameters.AddWithValue("id", id), ct)).SingleOrDefault();

    // Newest first, older than `before` (a cursor) when given, optionally of one category or topic;
    // one more than asked, so the caller knows whether an older page exists.
    // A category is matched in the list's spelling whatever the case asked (CategoryNames): the
    // filter column holds that spelling (the migration CategoriesOneRegardlessOfCase brought older
    // rows to it), so the query stays one equality on (category, seq), planned for the value.
    // A topic is matched by its key (TopicNames.Normalize) in topic_keys, the delivered names' keys
    // stored beside them (GIN-indexed), so an item delivered as "ΟΔΟΣ" is found by "οδος" and after
    // a rename in case only. No LIKE: % and _ are letters here.
    public async Task<List<Entry>> NewestAsync(string? category, string? topic, long? before, int limit, CancellationToken ct)
    {
        if (category is not null)
        {
            category = await standby.ReadAsync(db, c => db.Categories.SpellingAsync(category, c), ct) ?? category;
        }
        return await ReadAsync($"""
            SELECT item_id, version, withdrawn, seq, changed_at, first_published_at, document FROM published_items
            WHERE seq < @before {(category is null ? "" : "AND category = @category")} {(topic is null ? "" : "AND topic_keys @> ARRAY[@topic]::text[]")}
            ORDER BY seq DESC LIMIT @limit
            """,
            c =>
            {
                c.Parameters.AddWithValue("before", before ?? long.MaxValue);
                c.Parameters.AddWithValue("limit", limit + 1);
                if (category is not null)
                {
                    c.Parameters.AddWithValue("category", category);
                }
                if (topic is not null)
                {
                    c.Parameters.AddWithValue("topic", TopicNames.Normalize(topic));
                }
            }, ct);
    }

    private Task<List<Entry>> ReadAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken ct) =>
        standby.ReadAsync(db, c => ReadOnceAsync(sql, parameters, c), ct);

    private async Task<List<Entry>> ReadOnceAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
            parameters(command);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var entries = new List<Entry>();
            while (await reader.ReadAsync(ct))
            {
                entries.Add(new Entry(reader.GetInt64(0), reader.GetInt32(1), reader.GetBoolean(2), reader.GetInt64(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
            return entries;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
