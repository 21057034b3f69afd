using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Importing;

// A new item's search vector, computed by PostgreSQL (item_search_vector: the same dictionaries,
// the same result) on a connection of the import's own, beside the write: the parse stage asks for
// batch k+1's vectors while batch k is written, so the second core computes them instead of the
// COPY's backend, which computed every vector single-threaded (54% of what the schema costs a
// COPY; docs/benchmarks.md "Issue 23 Build 6, third pass"). Each vector comes sealed for its text
// (search_vectors, migration SearchVectorSeal): the items trigger keeps a supplied vector only
// when the seal matches the row's own title and excerpt, and computes it otherwise, so a vector
// can never disagree with its text whatever reaches the COPY.
public sealed record SealedVector(byte[] Vector, byte[] Seal);

public static class SearchVectors
{
    // Files whose URL is stored already are updates, revisions or unchanged (ImportWriter), never
    // COPYed: their vectors would be wasted. Which URLs are stored may change before the write;
    // either way is correct (an unused vector is dropped, a missing one is computed by the trigger).
    private const string Sql = """
        SELECT x.o, tsvectorsend(s.vector), s.seal
        FROM (SELECT array_agg(u.t ORDER BY u.o) AS t, array_agg(u.e ORDER BY u.o) AS e, array_agg(u.o ORDER BY u.o) AS o
              FROM unnest(@urls, @titles, @excerpts) WITH ORDINALITY AS u(url, t, e, o)
              WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.original_url = u.url)) w
        CROSS JOIN LATERAL search_vectors(w.t, w.e) WITH ORDINALITY AS s(vector, seal, n)
        CROSS JOIN LATERAL (SELECT w.o[s.n::int]) AS x(o)
        """;

    // Sets PreparedItem.SearchVector of the batch's new files. Content the database cannot take
    // (a NUL character, a text over tsvector's limit) leaves the batch without vectors: the COPY
    // computes them, and refuses such a file by itself, as before.
    public static async Task ComputeAsync(NpgsqlConnection conn, IReadOnlyList<PreparedItem> items, ILogger logger, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }
        try
        {
            await using var cmd = new NpgsqlCommand(Sql, conn);
            cmd.Parameters.AddWithValue("urls", items.Select(i => i.Url).ToArray());
            cmd.Parameters.AddWithValue("titles", items.Select(i => i.Parsed.Title).ToArray());
            cmd.Parameters.AddWithValue("excerpts", items.Select(i => i.Parsed.Excerpt).ToArray());
            var found = new List<(int Index, SealedVector Vector)>(items.Count);
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    found.Add(((int)reader.GetInt64(0) - 1, new SealedVector(reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2))));
                }
            }
            foreach (var (index, vector) in found)
            {
                items[index].SearchVector = vector;
            }
        }
        catch (PostgresException ex)
        {
            logger.LogWarning("Search vectors of a batch left to the write ({SqlState} {Message})", ex.SqlState, ex.MessageText);
        }
    }
}
