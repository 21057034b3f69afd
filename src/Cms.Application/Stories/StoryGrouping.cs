using Cms.Core.Stories;
using Cms.Data;
using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Stories;

// Story grouping at import: each new item joins the story of the most similar item from another
// provider published within the window (StorySettings.Window), if the similarity reaches the
// threshold, or starts a story of its own. A batch costs a fixed number of statements whatever its
// size: one upsert of term counts, one candidate search through the GIN index over story_keys
// (rare terms and SimHash bands of the few days around each item, never a scan), one read of the
// candidates' term counts, one reservation of new story ids. The decision itself is made in
// memory, item after item, so that items of one batch also find each other.
public sealed class StoryGrouping(StorySettings settings)
{
    private sealed record Member(long StoryId, string? Provider, DateTimeOffset At, StoryTerms Terms, int[] Keys);

    public StorySettings Settings => settings;

    // Sets StoryId, StorySimHash and StoryKeys of new items before they are copied; reads and
    // writes through the import's connection and transaction.
    public async Task AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }
        if (!settings.Grouping)
        {
            var ids = await ReserveStoryIdsAsync(conn, items.Count, ct);
            for (var i = 0; i < items.Count; i++)
            {
                items[i].StoryId = ids[i];
            }
            return;
        }
        var terms = new StoryTerms[items.Count];
        Parallel.For(0, items.Count, i => terms[i] = StoryText.Analyze(items[i].Title, items[i].Excerpt));
        var df = await CountTermsAsync(conn, terms, ct);
        var documents = df[StoryTermCount.Documents];

        var searches = new int[items.Count][];
        for (var i = 0; i < items.Count; i++)
        {
            var keyTerms = StoryKeys.KeyTerms(terms[i], t => df.GetValueOrDefault(t, 1), documents, settings).ToList();
            var at = When(items[i]);
            items[i].StorySimHash = unchecked((long)terms[i].SimHash);
            items[i].StoryKeys = StoryKeys.Stored(terms[i], keyTerms, at);
            searches[i] = StoryKeys.Search(terms[i], keyTerms, at, settings.Window);
        }
        var wanted = searches.SelectMany(k => k).ToHashSet();
        var stored = await CandidatesAsync(conn, wanted, ct);
        await AddTermCountsAsync(conn, df, stored.SelectMany(m => m.Terms.All), ct);
        double Idf(int term) => StorySimilarity.Idf(df.GetValueOrDefault(term, 1), documents);

        var index = new Dictionary<int, List<Member>>();
        foreach (var member in stored)
        {
            Index(index, member, wanted);
        }
        // New stories get placeholder ids (negative) until their real ids are reserved below.
        var placeholders = 0;
        var members = new Member[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var provider = items[i].ProviderDomain;
            var at = When(items[i]);
            var best = (Score: 0.0, StoryId: 0L);
            var seen = new HashSet<Member>(ReferenceEqualityComparer.Instance);
            foreach (var key in searches[i])
            {
                if (!index.TryGetValue(key, out var list))
                {
                    continue;
                }
                foreach (var candidate in list)
                {
                    if (!seen.Add(candidate) || SameProvider(provider, candidate.Provider) || (candidate.At - at).Duration() > settings.Window)
                    {
                        continue;
                    }
                    var score = StorySimilarity.Score(terms[i], candidate.Terms, Idf, settings);
                    if (score > best.Score || (score == best.Score && candidate.StoryId < best.StoryId))
                    {
                        best = (score, candidate.StoryId);
                    }
                }
            }
            var storyId = best.Score >= settings.MinSimilarity ? best.StoryId : -(++placeholders);
            members[i] = new Member(storyId, provider, at, terms[i], items[i].StoryKeys!);
            Index(index, members[i], wanted: null);
        }
        var fresh = await ReserveStoryIdsAsync(conn, placeholders, ct);
        for (var i = 0; i < items.Count; i++)
        {
            var id = members[i].StoryId;
            items[i].StoryId = id < 0 ? fresh[(int)(-id) - 1] : id;
        }
    }

    // The time an item is compared by: when the outlet published it, or when it arrived.
    public static DateTimeOffset When(Item item) => item.PublishedAt ?? item.ImportedAt;

    private static bool SameProvider(string? a, string? b) =>
        a is { Length: > 0 } && b is { Length: > 0 } && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static void Index(Dictionary<int, List<Member>> index, Member member, HashSet<int>? wanted)
    {
        foreach (var key in member.Keys)
        {
            if (wanted is not null && !wanted.Contains(key))
            {
                continue;
            }
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }
            list.Add(member);
        }
    }

    // Adds the batch's terms (each once per item) and items to the counts and returns the counts
    // after the addition, the items' own included (a first batch in an empty database still has
    // meaningful weights). Sorted, so two writers would lock rows in the same order.
    private static async Task<Dictionary<int, long>> CountTermsAsync(NpgsqlConnection conn, StoryTerms[] terms, CancellationToken ct)
    {
        var counts = new Dictionary<int, long> { [StoryTermCount.Documents] = terms.Length };
        foreach (var t in terms.SelectMany(x => x.All))
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }
        var keys = counts.Keys.Order().ToArray();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO story_term_counts (term, items) SELECT * FROM unnest(@terms, @counts)
            ON CONFLICT (term) DO UPDATE SET items = story_term_counts.items + excluded.items
            RETURNING term, items
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = keys.Select(k => counts[k]).ToArray() });
        var result = new Dictionary<int, long>(keys.Length);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return result;
    }

    private static async Task AddTermCountsAsync(NpgsqlConnection conn, Dictionary<int, long> df, IEnumerable<int> terms, CancellationToken ct)
    {
        var missing = terms.Where(t => !df.ContainsKey(t)).Distinct().ToArray();
        if (missing.Length == 0)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("SELECT term, items FROM story_term_counts WHERE term = ANY(@terms)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = missing });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            df[reader.GetInt32(0)] = reader.GetInt64(1);
        }
    }

    // Stored items sharing a key with any item of the batch: one GIN index scan.
    private static async Task<List<Member>> CandidatesAsync(NpgsqlConnection conn, HashSet<int> keys, CancellationToken ct)
    {
        var rows = new List<(long StoryId, string? Title, string? Excerpt, string? Provider, DateTimeOffset At, int[] Keys)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT story_id, title, excerpt, provider_domain, coalesce(published_at, imported_at), story_keys
            FROM items WHERE story_keys && @keys
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = keys.ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<int[]>(5)));
            }
        }
        var members = new Member[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            var r = rows[i];
            members[i] = new Member(r.StoryId, r.Provider, r.At, StoryText.Analyze(r.Title, r.Excerpt), r.Keys);
        });
        return [.. members];
    }

    public static async Task<long[]> ReserveStoryIdsAsync(NpgsqlConnection conn, int count, CancellationToken ct)
    {
        var ids = new long[count];
        if (count == 0)
        {
            return ids;
        }
        await using var cmd = new NpgsqlCommand($"SELECT nextval('{CmsDbContext.StoryIdSequence}') FROM generate_series(1, @n)", conn);
        cmd.Parameters.AddWithValue("n", count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        for (var i = 0; await reader.ReadAsync(ct); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        return ids;
    }
}
