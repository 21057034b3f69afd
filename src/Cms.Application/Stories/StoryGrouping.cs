using Cms.Application.Importing;
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

    public StoryGroupingProfile Profile { get; } = new();

    // Sets StoryId, StorySimHash and StoryKeys of new items before they are copied; reads and
    // writes through the import's connection and transaction.
    public Task AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, CancellationToken ct) => AssignAsync(conn, items, null, ct);

    // The parse stage's part (ItemImporter, right after a batch is parsed): the text analysis of a
    // batch runs while the previous batch is being written, not on the writer's path.
    public void Prepare(IEnumerable<PreparedItem> batch)
    {
        if (settings.Grouping)
        {
            Parallel.ForEach(batch, p => p.StoryTerms = StoryText.Analyze(p.Parsed.Title, p.Parsed.Excerpt));
        }
    }

    // analysed[i], when given and not null, is items[i]'s analysis from Prepare.
    public async Task AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<StoryTerms?>? analysed, CancellationToken ct)
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
        var profile = Profile;
        profile.Batch(items.Count);
        var lap = System.Diagnostics.Stopwatch.GetTimestamp();
        var terms = new StoryTerms[items.Count];
        Parallel.For(0, items.Count, i => terms[i] = analysed?[i] ?? StoryText.Analyze(items[i].Title, items[i].Excerpt));
        lap = profile.Lap(StoryGroupingProfile.Phase.Analyse, lap);
        var df = await CountTermsAsync(conn, terms, ct);
        lap = profile.Lap(StoryGroupingProfile.Phase.TermCounts, lap);
        var documents = df[StoryTermCount.Documents];

        var searches = new int[items.Count][];
        for (var i = 0; i < items.Count; i++)
        {
            var keyTerms = StoryKeys.KeyTerms(terms[i], t => df.GetValueOrDefault(t, 1), documents, settings).ToList();
            var at = When(items[i]);
            items[i].StorySimHash = unchecked((long)terms[i].SimHash);
            items[i].StoryKeys = StoryKeys.Stored(terms[i], keyTerms, at);
            items[i].StoryTermIds = terms[i].Pack();
            searches[i] = StoryKeys.Search(terms[i], keyTerms, at, settings.Window);
        }
        var wanted = searches.SelectMany(k => k).ToHashSet();
        var bands = new HashSet<int>[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            bands[i] = terms[i].IsEmpty ? [] : StoryKeys.Buckets(When(items[i]), settings.Window).SelectMany(b => StoryKeys.Bands(terms[i].SimHash, b)).ToHashSet();
        }

        // Stored items sharing keys with the batch (keys only, no text yet); of those, each item's
        // MaxCandidates best are read and scored.
        lap = profile.Lap(StoryGroupingProfile.Phase.Keys, lap);
        var keyed = await KeyedAsync(conn, wanted, ct);
        lap = profile.Lap(StoryGroupingProfile.Phase.CandidateSearch, lap);
        var byKey = new Dictionary<int, List<Keyed>>();
        foreach (var k in keyed)
        {
            foreach (var key in k.Keys.Where(wanted.Contains))
            {
                (byKey.TryGetValue(key, out var list) ? list : byKey[key] = []).Add(k);
            }
        }
        var storedFor = new List<Keyed>[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            storedFor[i] = Shortlist(searches[i], bands[i], When(items[i]), byKey);
        }
        lap = profile.Lap(StoryGroupingProfile.Phase.Shortlist, lap);
        var stored = await MembersAsync(conn, storedFor.SelectMany(c => c).Select(k => k.Id).ToHashSet(), keyed, profile, lap, ct);
        lap = System.Diagnostics.Stopwatch.GetTimestamp();
        await AddTermCountsAsync(conn, df, stored.Values.SelectMany(m => m.Terms.All), ct);
        lap = profile.Lap(StoryGroupingProfile.Phase.TermCounts, lap);
        profile.Found(keyed.Count, storedFor.Sum(c => c.Count));
        // Each term's weight once per batch: a batch scores ~16,000 pairs over the same few thousand terms.
        var weights = new Dictionary<int, double>();
        double Idf(int term)
        {
            if (!weights.TryGetValue(term, out var weight))
            {
                weights[term] = weight = StorySimilarity.Idf(df.GetValueOrDefault(term, 1), documents);
            }
            return weight;
        }

        // Items of this batch are candidates for the items after them, under the same rule.
        var batchByKey = new Dictionary<int, List<Keyed>>();
        var batchMembers = new Dictionary<Keyed, Member>(ReferenceEqualityComparer.Instance);
        // New stories get placeholder ids (negative) until their real ids are reserved below.
        var placeholders = 0;
        var members = new Member[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var provider = items[i].ProviderDomain;
            var at = When(items[i]);
            var candidates = storedFor[i].Select(k => stored[k.Id])
                .Concat(Shortlist(searches[i], bands[i], at, batchByKey).Select(k => batchMembers[k]));
            var best = (Score: 0.0, StoryId: 0L);
            foreach (var candidate in candidates)
            {
                if (SameProvider(provider, candidate.Provider) || (candidate.At - at).Duration() > settings.Window)
                {
                    continue;
                }
                var score = StorySimilarity.Score(terms[i], candidate.Terms, Idf, settings);
                if (score > best.Score || (score == best.Score && candidate.StoryId < best.StoryId))
                {
                    best = (score, candidate.StoryId);
                }
            }
            var storyId = best.Score >= settings.MinSimilarity ? best.StoryId : -(++placeholders);
            members[i] = new Member(storyId, provider, at, terms[i], items[i].StoryKeys!);
            var self = new Keyed(-(i + 1), storyId, provider, at, items[i].StoryKeys!);
            batchMembers[self] = members[i];
            foreach (var key in self.Keys.Where(wanted.Contains))
            {
                (batchByKey.TryGetValue(key, out var list) ? list : batchByKey[key] = []).Add(self);
            }
        }
        lap = profile.Lap(StoryGroupingProfile.Phase.Scoring, lap);
        var fresh = await ReserveStoryIdsAsync(conn, placeholders, ct);
        profile.Lap(StoryGroupingProfile.Phase.StoryIds, lap);
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

    private sealed record Keyed(long Id, long StoryId, string? Provider, DateTimeOffset At, int[] Keys);

    // At most this many candidates are read and scored per item: a fingerprint band first, then
    // those sharing the most rare terms (two tellings of one story share several: a place and a
    // number, a company and a sum), then the closest in time. A company in the news all week
    // otherwise brings every item about it.
    public const int MaxCandidates = 16;

    private static List<Keyed> Shortlist(int[] search, HashSet<int> bands, DateTimeOffset at, Dictionary<int, List<Keyed>> byKey)
    {
        var shared = new Dictionary<Keyed, int>(ReferenceEqualityComparer.Instance);
        var banded = new HashSet<Keyed>(ReferenceEqualityComparer.Instance);
        foreach (var key in search)
        {
            if (!byKey.TryGetValue(key, out var list))
            {
                continue;
            }
            foreach (var k in list)
            {
                shared[k] = shared.GetValueOrDefault(k) + 1;
                if (bands.Contains(key))
                {
                    banded.Add(k);
                }
            }
        }
        return shared.OrderByDescending(e => banded.Contains(e.Key)).ThenByDescending(e => e.Value).ThenBy(e => (e.Key.At - at).Duration()).ThenBy(e => e.Key.Id)
            .Take(MaxCandidates).Select(e => e.Key).ToList();
    }

    // Keys per GIN search: GIN checks every key of the search against every row it finds, so one
    // search with the batch's ~30,000 keys took 20 s where 300 searches of 100 keys took 0.4 s
    // (docs/benchmarks.md, "Stories").
    private const int KeysPerSearch = 100;

    // Stored items sharing a key with any item of the batch, keys only: GIN index scans of
    // KeysPerSearch keys each, in one statement.
    private static async Task<List<Keyed>> KeyedAsync(NpgsqlConnection conn, HashSet<int> keys, CancellationToken ct)
    {
        var all = keys.ToArray();
        var chunks = (all.Length + KeysPerSearch - 1) / KeysPerSearch;
        var grid = new int[chunks, KeysPerSearch];
        for (var i = 0; i < chunks * KeysPerSearch; i++)
        {
            // The last chunk is padded by repeating a key: duplicates change nothing.
            grid[i / KeysPerSearch, i % KeysPerSearch] = all[Math.Min(i, all.Length - 1)];
        }
        var rows = new Dictionary<long, Keyed>();
        await using var cmd = new NpgsqlCommand("""
            SELECT i.id, i.story_id, i.provider_domain, coalesce(i.published_at, i.imported_at), i.story_keys
            FROM generate_series(1, @chunks) c
            CROSS JOIN LATERAL (SELECT id, story_id, provider_domain, published_at, imported_at, story_keys FROM items WHERE story_keys && (@grid)[c:c][1:@width]) i
            """, conn);
        cmd.Parameters.AddWithValue("chunks", chunks);
        cmd.Parameters.AddWithValue("width", KeysPerSearch);
        cmd.Parameters.Add(new NpgsqlParameter("grid", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = grid });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            if (!rows.ContainsKey(id))
            {
                rows[id] = new Keyed(id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<int[]>(4));
            }
        }
        return [.. rows.Values];
    }

    // The shortlisted stored items' terms, as stored at their import (no text read, nothing analysed
    // again); an item stored before the terms were kept is analysed from its text.
    private static async Task<Dictionary<long, Member>> MembersAsync(NpgsqlConnection conn, HashSet<long> ids, List<Keyed> keyed, StoryGroupingProfile profile, long lap, CancellationToken ct)
    {
        var members = new Dictionary<long, Member>();
        if (ids.Count == 0)
        {
            return members;
        }
        var byId = keyed.ToDictionary(k => k.Id);
        var unpacked = new List<(long Id, StoryTerms Terms)>(ids.Count);
        var texts = new List<(long Id, string Title, string? Excerpt)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, story_term_ids, coalesce(story_sim_hash, 0),
                   CASE WHEN story_term_ids IS NULL THEN title END, CASE WHEN story_term_ids IS NULL THEN excerpt END
            FROM items WHERE id = ANY(@ids)
            """, conn))
        {
            cmd.Parameters.AddWithValue("ids", ids.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(0);
                if (!reader.IsDBNull(1) && StoryTerms.Unpack(reader.GetFieldValue<int[]>(1), unchecked((ulong)reader.GetInt64(2))) is { } terms)
                {
                    unpacked.Add((id, terms));
                }
                else
                {
                    texts.Add((id, reader.IsDBNull(3) ? "" : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
                }
            }
        }
        lap = profile.Lap(StoryGroupingProfile.Phase.CandidatesRead, lap);
        var analyzed = new StoryTerms[texts.Count];
        Parallel.For(0, texts.Count, i => analyzed[i] = StoryText.Analyze(texts[i].Title, texts[i].Excerpt));
        unpacked.AddRange(texts.Select((t, i) => (t.Id, analyzed[i])));
        foreach (var (id, terms) in unpacked)
        {
            var k = byId[id];
            members[id] = new Member(k.StoryId, k.Provider, k.At, terms, k.Keys);
        }
        profile.Lap(StoryGroupingProfile.Phase.CandidatesAnalysed, lap);
        return members;
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
