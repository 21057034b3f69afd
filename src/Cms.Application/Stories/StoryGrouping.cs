using System.Buffers.Binary;
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
// size: one upsert of term counts, one candidate search (each distinct rare term and SimHash band of
// the batch looked up once in story_window_keys over its items' windows, never a scan; shared keys
// counted and ranked here), one read of each item's best candidates, one read of the candidates'
// term counts, one reservation of new story ids, one COPY of the new items' keys. The search runs
// beside the import's writer when it can (SearchAhead: on a connection of its own, during the
// previous batch's write), and is taken only when it is what the transaction would find. The
// decision itself is made in memory, item after item, so that items of one batch also find each other.
public sealed class StoryGrouping(StorySettings settings)
{
    // A stored item (Id > 0) or an item of the batch (Id = -(its index + 1)) as a candidate.
    internal sealed record Member(long Id, long StoryId, string? Provider, DateTimeOffset At, StoryTerms Terms);

    public StorySettings Settings => settings;

    public StoryGroupingProfile Profile { get; } = new();

    // Whether a search beside the writer also makes the batch's choices (off: the writer makes them
    // in its transaction, as tests compare).
    internal bool ChooseAhead { get; set; } = true;

    // Sets StoryId, StorySimHash, StoryKeys and StoryTermIds of new items before they are copied
    // and writes their rows of story_window_keys; reads and writes through the import's connection
    // and transaction. Items must have their ids.
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

    // A batch's candidate search begun beside the writer (SearchAhead): on a connection of its own,
    // over what is committed, while the writer's transaction dedupes, applies rules and takes ids.
    // AssignAsync takes its result only if it is what the search in the transaction would find:
    // the same items, analyses and times, and the same term counts (the writer holds the import's
    // advisory lock, so no other import commits in between; a check catches anything else).
    public sealed class Search : IAsyncDisposable
    {
        private bool _disposed;

        internal Search(StoryTerms[] terms, DateTimeOffset[] at, string?[] providers, bool duringPrevious, Task<Found> task, CancellationTokenSource stop) =>
            (Terms, At, Providers, DuringPrevious, Task, Stop) = (terms, at, providers, duringPrevious, task, stop);

        // The providers the search's own choices were made with.
        internal string?[] Providers { get; }

        internal bool DuringPrevious { get; }

        internal StoryTerms[] Terms { get; }

        // Begun for these items (the same analyses, in the same order)?
        public bool IsFor(IReadOnlyList<PreparedItem> batch) =>
            batch.Count == Terms.Length && batch.Select((p, i) => ReferenceEquals(p.StoryTerms, Terms[i])).All(x => x);
        internal DateTimeOffset[] At { get; }
        internal Task<Found> Task { get; }
        private CancellationTokenSource Stop { get; }

        // Its end, whatever it was: nothing may change the import's StoryMemory while it reads it.
        internal Task Ended => Task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            await Stop.CancelAsync();
            await Ended;
            Stop.Dispose();
        }
    }

    // Held: the import's StoryMemory (of that Version) gave its own rows and candidates; Foreign:
    // the memory could not be used (an item not of this import has an id after its last, or
    // another writer re-keyed an item since it was begun). Rekeys: the re-key count
    // (StoryKeyUpkeep.Count) in the search's snapshot.
    // Choice: the choices made by the search itself (beside the writer), to be taken with it.
    internal sealed record Found(Dictionary<int, long> Df, List<int>[] KeyTerms, int[][] Searches, HashSet<int>[] Bands, List<Member>[] StoredFor, int Rows,
        long Rekeys, bool Exact = true, bool Held = false, bool Foreign = false, int Version = 0, Choice? Choice = null);

    // Each item's chosen candidate (null: a story of its own; a batch mate: Id < 0) and how many
    // new stories the batch starts (placeholder story ids -1, -2, ...).
    internal sealed record Choice(Member?[] Joined, Member[] Members, int Placeholders);

    // A batch as AssignAsync left it (real ids and story ids, its keys and term counts), written but
    // maybe not yet committed: the next batch's search, begun during this batch's COPY, compares
    // the next batch's items with it in memory as long as its rows are not visible.
    public sealed class Assigned
    {
        internal Assigned(Member[] members, Dictionary<int, List<Member>> byKey, Dictionary<int, long> counts, StoryWrites? writes) =>
            (Members, ByKey, Counts, Writes) = (members, byKey, counts, writes);

        internal Member[] Members { get; }

        // Its key rows and counts, when written beside the items (committed just before them).
        internal StoryWrites? Writes { get; }
        internal Dictionary<int, List<Member>> ByKey { get; }
        internal Dictionary<int, long> Counts { get; }
    }

    // Starts the candidate search of a parsed batch (grouping on, each item analysed by Prepare),
    // its items as they will be stored at `now`; null when there is nothing to search ahead.
    // `previous`, when given, is the batch written before it, maybe not committed yet.
    public Search? SearchAhead(NpgsqlConnection writer, IReadOnlyList<PreparedItem> batch, DateTimeOffset now, Assigned? previous, CancellationToken ct) =>
        SearchAhead(writer, batch, now, previous, null, ct);

    // memory: the import's own rows so far (the writer's; not changed while this search runs).
    public Search? SearchAhead(NpgsqlConnection writer, IReadOnlyList<PreparedItem> batch, DateTimeOffset now, Assigned? previous, StoryMemory? memory, CancellationToken ct)
    {
        if (!settings.Grouping || batch.Count == 0 || batch.Any(p => p.StoryTerms is null))
        {
            return null;
        }
        var terms = batch.Select(p => p.StoryTerms!).ToArray();
        var at = batch.Select(p => p.Parsed.PublishedAt ?? now).ToArray();
        var providers = batch.Select(p => p.Parsed.ProviderDomain).ToArray();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var version = memory?.Version ?? 0;
        var task = System.Threading.Tasks.Task.Run(async () =>
        {
            var written = previous;
            await using var conn = (NpgsqlConnection)((ICloneable)writer).Clone();
            await conn.OpenAsync(stop.Token);
            // One snapshot for every statement: the written batch is either visible in all of
            // them (committed before it was taken) or in none, and then compared in memory.
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, stop.Token);
            var lap = System.Diagnostics.Stopwatch.GetTimestamp();
            // The written batch's items, and its key rows and counts (committed just before them
            // when written beside them), each seen in this snapshot or compared from memory.
            var unseen = written;
            // A snapshot taken after the written batch committed is outside the import lock the
            // writer held: another import may be between its own two commits (StoryWrites), its
            // key rows and counts seen without its items. Such a search is not taken.
            var outsideLock = false;
            if (written is not null)
            {
                await using var seen = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM items WHERE id = @id)", conn);
                seen.Parameters.AddWithValue("id", written.Members[0].Id);
                if ((bool)(await seen.ExecuteScalarAsync(stop.Token))!)
                {
                    outsideLock = written.Writes is not null;
                    (written, unseen) = (null, null);
                }
                else if (written.Writes is { } writes)
                {
                    await using var visible = new NpgsqlCommand("SELECT pg_visible_in_snapshot(@xid::text::xid8, pg_current_snapshot())", conn);
                    visible.Parameters.AddWithValue("xid", await writes.Xid);
                    if ((bool)(await visible.ExecuteScalarAsync(stop.Token))!)
                    {
                        written = null;
                    }
                }
            }
            var df = await BatchCountsAsync(conn, terms, written, stop.Token);
            lap = Profile.Lap(StoryGroupingProfile.Phase.AheadTermCounts, lap);
            var plan = Plan(terms, at, df);
            lap = Profile.Lap(StoryGroupingProfile.Phase.Keys, lap);
            var (storedFor, rows, exact, held, foreign, rekeys) = await ShortlistedAsync(conn, at, plan.Searches, plan.Bands, settings.Window, written, unseen, memory, Profile, lap, stop.Token);
            var found = new Found(df, plan.KeyTerms, plan.Searches, plan.Bands, storedFor, rows, rekeys, exact && !outsideLock, held, foreign, version);
            // The choices too, beside the writer, which takes them with the search when the counts
            // and the re-key count they were made by are its own (AssignAsync, with StoryWrites).
            if (!ChooseAhead)
            {
                return found;
            }
            lap = System.Diagnostics.Stopwatch.GetTimestamp();
            var keys = new int[terms.Length][];
            for (var i = 0; i < terms.Length; i++)
            {
                keys[i] = StoryKeys.Stored(terms[i], plan.KeyTerms[i], at[i]);
            }
            found = found with { Choice = await ChooseAsync(conn, terms, at, providers, keys, found, df, written, stop.Token) };
            Profile.Lap(StoryGroupingProfile.Phase.AheadScoring, lap);
            return found;
        }, stop.Token);
        return new Search(terms, at, providers, previous is not null, task, stop);
    }

    // analysed[i], when given and not null, is items[i]'s analysis from Prepare; ahead, when given,
    // the batch's search begun by SearchAhead.
    public async Task AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<StoryTerms?>? analysed, CancellationToken ct) =>
        await AssignAsync(conn, items, analysed, null, ct);

    // Returns the batch as assigned, for the next batch's search ahead (null with grouping off).
    public Task<Assigned?> AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<StoryTerms?>? analysed, Search? ahead, CancellationToken ct) =>
        AssignAsync(conn, items, analysed, ahead, null, ct);

    // memory: the import's own rows so far (StoryMemory), to which this batch is added.
    public Task<Assigned?> AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<StoryTerms?>? analysed, Search? ahead, StoryMemory? memory, CancellationToken ct) =>
        AssignAsync(conn, items, analysed, ahead, memory, null, ct);

    // writes, when given: the batch's key rows and term counts go there (StoryWrites, committed by
    // the caller just before its transaction) instead of into conn's transaction.
    public async Task<Assigned?> AssignAsync(NpgsqlConnection conn, IReadOnlyList<Item> items, IReadOnlyList<StoryTerms?>? analysed, Search? ahead, StoryMemory? memory, StoryWrites? writes, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return null;
        }
        if (!settings.Grouping)
        {
            var ids = await ReserveStoryIdsAsync(conn, items.Count, ct);
            for (var i = 0; i < items.Count; i++)
            {
                items[i].StoryId = ids[i];
            }
            return null;
        }
        var profile = Profile;
        profile.Batch(items.Count);
        var lap = System.Diagnostics.Stopwatch.GetTimestamp();
        var terms = new StoryTerms[items.Count];
        Parallel.For(0, items.Count, i => terms[i] = analysed?[i] ?? StoryText.Analyze(items[i].Title, items[i].Excerpt));
        var at = items.Select(When).ToArray();
        lap = profile.Lap(StoryGroupingProfile.Phase.Analyse, lap);
        Dictionary<int, long> df;
        Found? found;
        Checked? precounted = null;
        if (writes is null)
        {
            var (counted, rekeys) = await CountTermsAsync(conn, terms, ct);
            lap = profile.Lap(StoryGroupingProfile.Phase.TermCounts, lap);
            // The search's own choices are not taken: its check covers the batch's terms only.
            found = await TakeAsync(ahead, terms, at, memory, rekeys, f => f.Df.Count == counted.Count && counted.All(e => f.Df.TryGetValue(e.Key, out var v) && v == e.Value)) is { } f
                ? f with { Choice = null } : null;
            lap = profile.Lap(StoryGroupingProfile.Phase.WaitForSearch, lap);
            df = counted;
        }
        else
        {
            // The counts are added by `writes`: here they are read. The search's counts are this
            // transaction's if no other writer changed any since its snapshot: every change of a
            // count changes the items' count (StoryTermCount.Documents) with it, so that one is compared.
            // Its re-key count is compared in the same check (CheckAsync), not before taking it.
            found = await TakeAsync(ahead, terms, at, memory, null, null);
            lap = profile.Lap(StoryGroupingProfile.Phase.WaitForSearch, lap);
            if (found?.Choice is not null && !ahead!.Providers.SequenceEqual(items.Select(i => i.ProviderDomain)))
            {
                found = found with { Choice = null };
            }
            if (found is not null)
            {
                // With the search's choices, the story ids and the chosen candidates' current
                // stories come in the same round trip (wasted if the counts differ).
                var check = await CheckAsync(conn, found.Choice?.Placeholders ?? 0, found.Choice is { } c ? HeldChosen(found, c.Joined, memory) : [], ct);
                // A search (and its choices) from before another writer's re-key committed found
                // stored items under keys and terms they no longer have: not taken (REVIEW11 R11-1).
                found = check.Documents + terms.Length == found.Df[StoryTermCount.Documents] && check.Rekeys == found.Rekeys ? found : null;
                precounted = found?.Choice is null ? null : check;
                if (precounted is not null)
                {
                    profile.ChoseAhead();
                }
            }
            df = found?.Df ?? await BatchCountsAsync(conn, terms, null, ct);
            lap = profile.Lap(StoryGroupingProfile.Phase.TermCounts, lap);
        }
        memory?.Settle();
        if (found is null)
        {
            var plan = Plan(terms, at, df);
            lap = profile.Lap(StoryGroupingProfile.Phase.Keys, lap);
            var (shortlists, rows, _, held, foreign, searched) = await ShortlistedAsync(conn, at, plan.Searches, plan.Bands, settings.Window, null, null, memory, profile, lap, ct);
            found = new Found(df, plan.KeyTerms, plan.Searches, plan.Bands, shortlists, rows, searched, Held: held, Foreign: foreign);
            lap = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        else
        {
            profile.Ahead(ahead!.DuringPrevious);
        }
        // Counted for the search the batch takes only: one begun ahead and not taken would count twice.
        if (found.Held)
        {
            profile.Held(memory!.KeyRows);
        }
        for (var i = 0; i < items.Count; i++)
        {
            items[i].StorySimHash = unchecked((long)terms[i].SimHash);
            items[i].StoryKeys = StoryKeys.Stored(terms[i], found.KeyTerms[i], at[i]);
            items[i].StoryTermIds = terms[i].Pack();
        }
        var own = OwnCounts(terms);
        // Written beside the scoring and the items' COPY (nothing below changes an item's keys or time).
        writes?.Start(items, own.Keys, [.. own.Keys.Select(k => own.Counts[k])], ct);
        profile.Found(found.Rows, found.StoredFor.Sum(c => c.Count));
        var choice = found.Choice ?? await ChooseAsync(conn, terms, at, [.. items.Select(i => i.ProviderDomain)], [.. items.Select(i => i.StoryKeys!)], found, df, null, ct);
        var (joined, members, placeholders) = (choice.Joined, choice.Members, choice.Placeholders);
        lap = profile.Lap(StoryGroupingProfile.Phase.Scoring, lap);
        // A candidate from memory has the story it was written with: its current one is read here
        // (an editor may have moved it since), for the chosen candidates only.
        var (fresh, current) = precounted is null
            ? (await ReserveStoryIdsAsync(conn, placeholders, ct), await CurrentStoriesAsync(conn, HeldChosen(found, joined, memory), ct))
            : (precounted.StoryIds, precounted.Current);
        lap = profile.Lap(StoryGroupingProfile.Phase.StoryIds, lap);
        for (var i = 0; i < items.Count; i++)
        {
            var id = joined[i] switch
            {
                null => members[i].StoryId,
                { Id: < 0 } mate => items[(int)(-mate.Id) - 1].StoryId,
                { } stored => current.GetValueOrDefault(stored.Id, stored.StoryId),
            };
            items[i].StoryId = id < 0 ? fresh[(int)(-id) - 1] : id;
        }
        foreach (var (id, story) in current)
        {
            memory!.Restory(id, story);
        }
        if (writes is null)
        {
            await WriteKeysAsync(conn, items, ct);
        }
        var assigned = new Member[items.Count];
        var byKey = new Dictionary<int, List<Member>>();
        for (var i = 0; i < items.Count; i++)
        {
            assigned[i] = new Member(items[i].Id, items[i].StoryId, items[i].ProviderDomain, at[i], terms[i]);
            foreach (var key in items[i].StoryKeys!)
            {
                (byKey.TryGetValue(key, out var list) ? list : byKey[key] = []).Add(assigned[i]);
            }
        }
        if (memory is not null)
        {
            if (found.Foreign)
            {
                memory.Clear();
            }
            var order = Enumerable.Range(0, items.Count).OrderBy(i => assigned[i].Id).ToArray();
            memory.Add([.. order.Select(i => assigned[i] with { At = Microseconds(assigned[i].At) })], [.. order.Select(i => items[i].StoryKeys!)], found.Rekeys);
        }
        profile.Lap(StoryGroupingProfile.Phase.KeyRows, lap);
        return new Assigned(assigned, byKey, own.Counts, writes);
    }

    // Each item's choice (Choice), item after item, by the counts df (to which the counts of the
    // stored candidates' terms are added, read on conn, plus those of `written`, a batch counted
    // but not visible to conn). keys[i]: the keys items[i] is stored under.
    private async Task<Choice> ChooseAsync(NpgsqlConnection conn, StoryTerms[] terms, DateTimeOffset[] at, string?[] providers, int[][] keys, Found found,
        Dictionary<int, long> df, Assigned? written, CancellationToken ct)
    {
        var (searches, bands, storedFor) = (found.Searches, found.Bands, found.StoredFor);
        var wanted = searches.SelectMany(k => k).ToHashSet();
        // The stored candidates' terms whose counts are not known yet: ~10,000 candidates of ~100
        // terms a batch, each candidate's looked at once, without LINQ's iterators on the way.
        var missing = new HashSet<int>();
        var seen = new HashSet<long>();
        foreach (var shortlist in storedFor)
        {
            foreach (var m in shortlist)
            {
                if (seen.Add(m.Id))
                {
                    foreach (var t in m.Terms.All)
                    {
                        if (!df.ContainsKey(t))
                        {
                            missing.Add(t);
                        }
                    }
                }
            }
        }
        await AddTermCountsAsync(conn, df, missing, ct);
        if (written is not null)
        {
            // Counted by a batch whose counts this snapshot does not see yet, as the writer's will.
            foreach (var t in missing)
            {
                if (written.Counts.GetValueOrDefault(t) is var c && c > 0)
                {
                    df[t] = df.GetValueOrDefault(t) + c;
                }
            }
        }
        var documents = df[StoryTermCount.Documents];
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
        Func<int, double> idf = Idf;

        // Items of this batch are candidates for the items after them, under the same rule.
        var batchByKey = new Dictionary<int, List<Member>>();
        // New stories get placeholder ids (negative) until their real ids are reserved below.
        var placeholders = 0;
        var members = new Member[terms.Length];
        // The candidate whose story each item joins (null: a story of its own).
        var joined = new Member?[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            var provider = providers[i];
            var candidates = storedFor[i]
                .Concat(Shortlist(searches[i], bands[i], at[i], settings.Window, batchByKey));
            var best = (Score: 0.0, StoryId: 0L, Member: (Member?)null);
            foreach (var candidate in candidates)
            {
                if (SameProvider(provider, candidate.Provider) || (candidate.At - at[i]).Duration() > settings.Window)
                {
                    continue;
                }
                var score = StorySimilarity.Score(terms[i], candidate.Terms, idf, settings);
                if (score > best.Score || (score == best.Score && candidate.StoryId < best.StoryId))
                {
                    best = (score, candidate.StoryId, candidate);
                }
            }
            joined[i] = best.Score >= settings.MinSimilarity ? best.Member : null;
            var storyId = joined[i] is { } chosen ? chosen.StoryId : -(++placeholders);
            members[i] = new Member(-(i + 1), storyId, provider, at[i], terms[i]);
            foreach (var key in keys[i].Where(wanted.Contains))
            {
                (batchByKey.TryGetValue(key, out var list) ? list : batchByKey[key] = []).Add(members[i]);
            }
        }
        return new Choice(joined, members, placeholders);
    }

    // The chosen candidates held in memory: their current stories are read in the writer's transaction.
    private static long[] HeldChosen(Found found, Member?[] joined, StoryMemory? memory) =>
        found.Held && memory is not null ? joined.Where(m => m is { Id: > 0 } && memory.Holds(m.Id)).Select(m => m!.Id).Distinct().ToArray() : [];

    // The writer's check of a search's counts, the story ids of the new stories it chose and the
    // current stories of its chosen candidates held in memory, in one round trip.
    // Rekeys: the re-key count (StoryKeyUpkeep.Count) as committed now, for the search's to be compared.
    internal sealed record Checked(long Documents, long Rekeys, long[] StoryIds, Dictionary<long, long> Current);

    private static async Task<Checked> CheckAsync(NpgsqlConnection conn, int placeholders, long[] held, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT coalesce((SELECT items FROM story_term_counts WHERE term = {StoryTermCount.Documents}), 0), ({StoryKeyUpkeep.CountSql})"),
                new NpgsqlBatchCommand($"SELECT nextval('{CmsDbContext.StoryIdSequence}') FROM generate_series(1, $1)") { Parameters = { new NpgsqlParameter<int> { TypedValue = placeholders } } },
                new NpgsqlBatchCommand("SELECT id, story_id FROM items WHERE id = ANY($1)")
                {
                    Parameters = { new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = held } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (documents, rekeys) = (reader.GetInt64(0), reader.GetInt64(1));
        await reader.NextResultAsync(ct);
        var ids = new long[placeholders];
        for (var i = 0; await reader.ReadAsync(ct); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        await reader.NextResultAsync(ct);
        var current = new Dictionary<long, long>(held.Length);
        while (await reader.ReadAsync(ct))
        {
            current[reader.GetInt64(0)] = reader.GetInt64(1);
        }
        return new Checked(documents, rekeys, ids, current);
    }

    // A time as story_window_keys stores it (microseconds), for rows held in memory beside its rows.
    private static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    private static async Task<Dictionary<long, long>> CurrentStoriesAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        var stories = new Dictionary<long, long>(ids.Length);
        if (ids.Length == 0)
        {
            return stories;
        }
        await using var cmd = new NpgsqlCommand("SELECT id, story_id FROM items WHERE id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = ids });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stories[reader.GetInt64(0)] = reader.GetInt64(1);
        }
        return stories;
    }

    // The time an item is compared by: when the outlet published it, or when it arrived.
    public static DateTimeOffset When(Item item) => item.PublishedAt ?? item.ImportedAt;

    private static bool SameProvider(string? a, string? b) =>
        a is { Length: > 0 } && b is { Length: > 0 } && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    // Each item's key terms (by the counts df), the keys its search looks up and its fingerprint's bands.
    private (List<int>[] KeyTerms, int[][] Searches, HashSet<int>[] Bands) Plan(StoryTerms[] terms, DateTimeOffset[] at, Dictionary<int, long> df)
    {
        var documents = df[StoryTermCount.Documents];
        var keyTerms = new List<int>[terms.Length];
        var searches = new int[terms.Length][];
        var bands = new HashSet<int>[terms.Length];
        Parallel.For(0, terms.Length, i =>
        {
            keyTerms[i] = StoryKeys.KeyTerms(terms[i], t => df.GetValueOrDefault(t, 1), documents, settings).ToList();
            searches[i] = StoryKeys.Search(terms[i], keyTerms[i], at[i], settings.Window);
            bands[i] = terms[i].IsEmpty ? [] : StoryKeys.Buckets(at[i], settings.Window).SelectMany(b => StoryKeys.Bands(terms[i].SimHash, b)).ToHashSet();
        });
        return (keyTerms, searches, bands);
    }

    // The search begun ahead, if it is the one this batch needs (else null: searched here). Its
    // failure is not the import's: the search in the transaction then does the same work.
    // Always waits for its end: the caller changes the memory it may be reading.
    // A search that began before another writer's re-key committed (the count moved since its
    // snapshot) found stored items under keys and terms they no longer have: not taken. rekeys:
    // the writer's re-key count when read before (null: the caller compares it, CheckAsync).
    private static async Task<Found?> TakeAsync(Search? ahead, StoryTerms[] terms, DateTimeOffset[] at, StoryMemory? memory, long? rekeys, Func<Found, bool>? sameCounts)
    {
        if (ahead is null)
        {
            return null;
        }
        if (ahead.Terms.Length != terms.Length
            || !ahead.Terms.Zip(terms).All(p => ReferenceEquals(p.First, p.Second)) || !ahead.At.SequenceEqual(at))
        {
            await ahead.Ended;
            return null;
        }
        try
        {
            var found = await ahead.Task;
            return found.Exact && (!found.Held || found.Version == memory?.Version) && (rekeys is null || found.Rekeys == rekeys)
                && (sameCounts?.Invoke(found) ?? true) ? found : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    // The batch's own count of each term (each once per item) and of items, and those terms sorted.
    private static (Dictionary<int, long> Counts, int[] Keys) OwnCounts(StoryTerms[] terms)
    {
        var counts = new Dictionary<int, long> { [StoryTermCount.Documents] = terms.Length };
        foreach (var t in terms.SelectMany(x => x.All))
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }
        return (counts, counts.Keys.Order().ToArray());
    }

    // The counts the batch is weighed by, as CountTermsAsync returns them, read (not added):
    // the stored counts of its terms plus its own, and those of `written` (a batch not yet visible).
    private static async Task<Dictionary<int, long>> BatchCountsAsync(NpgsqlConnection conn, StoryTerms[] terms, Assigned? written, CancellationToken ct)
    {
        var (counts, keys) = OwnCounts(terms);
        var df = new Dictionary<int, long>(keys.Length);
        await AddTermCountsAsync(conn, df, keys, ct);
        foreach (var key in keys)
        {
            df[key] = df.GetValueOrDefault(key) + counts[key] + (written?.Counts.GetValueOrDefault(key) ?? 0);
        }
        return df;
    }

    // Adds the batch's terms (each once per item) and items to the counts and returns the counts
    // after the addition, the items' own included (a first batch in an empty database still has
    // meaningful weights). Sorted, so two writers would lock rows in the same order. Also returns
    // the re-key count (StoryKeyUpkeep.Count) as committed now, in the same round trip.
    private static async Task<(Dictionary<int, long> Df, long Rekeys)> CountTermsAsync(NpgsqlConnection conn, StoryTerms[] terms, CancellationToken ct)
    {
        var (counts, keys) = OwnCounts(terms);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO story_term_counts (term, items) SELECT * FROM unnest(@terms, @counts)
            ON CONFLICT (term) DO UPDATE SET items = story_term_counts.items + excluded.items
            RETURNING term, items;
            {StoryKeyUpkeep.CountSql};
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("terms", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("counts", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = keys.Select(k => counts[k]).ToArray() });
        var result = new Dictionary<int, long>(keys.Length);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return (result, reader.GetInt64(0));
    }

    // Reads the stored counts of the terms df does not hold yet into df.
    internal static async Task AddTermCountsAsync(NpgsqlConnection conn, Dictionary<int, long> df, IEnumerable<int> terms, CancellationToken ct)
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

    // At most this many candidates are read and scored per item: a fingerprint band first, then
    // those sharing the most rare terms (two tellings of one story share several: a place and a
    // number, a company and a sum), then the closest in time. A company in the news all week
    // otherwise brings every item about it.
    public const int MaxCandidates = 16;

    // Rows one search key may bring from the window: bounds the work of a key that is common in
    // the window (a "rare" term of the whole store can be frequent for a week); far above what a
    // key of the labelled set finds.
    private const int RowsPerKey = 1000;

    // The batch's own items as candidates of the items after them (in memory), chosen as the SQL
    // of ShortlistedAsync chooses stored ones.
    private static IEnumerable<Member> Shortlist(int[] search, HashSet<int> bands, DateTimeOffset at, TimeSpan window, Dictionary<int, List<Member>> byKey)
    {
        var shared = new Dictionary<Member, int>(ReferenceEqualityComparer.Instance);
        var banded = new HashSet<Member>(ReferenceEqualityComparer.Instance);
        foreach (var key in search)
        {
            if (!byKey.TryGetValue(key, out var list))
            {
                continue;
            }
            foreach (var m in list)
            {
                if ((m.At - at).Duration() > window)
                {
                    continue;
                }
                shared[m] = shared.GetValueOrDefault(m) + 1;
                if (bands.Contains(key))
                {
                    banded.Add(m);
                }
            }
        }
        var hits = new Hit[shared.Count];
        var members = new Member[shared.Count];
        var n = 0;
        foreach (var (m, count) in shared)
        {
            (hits[n], members[n]) = (new Hit(m.Id, count, banded.Contains(m), (m.At - at).Duration()), m);
            n++;
        }
        return members[..Best(hits, members, n)];
    }

    // The one order of candidates, for the batch's own items and for stored ones: a shared
    // fingerprint band first, then the most shared keys, then the closest in time, then the id
    // (ids differ, so the order is total and the MaxCandidates best are the same however sorted).
    internal readonly record struct Hit(long Id, int Shared, bool Banded, TimeSpan Apart) : IComparable<Hit>
    {
        public int CompareTo(Hit other) =>
            Banded != other.Banded ? (Banded ? -1 : 1)
            : Shared != other.Shared ? other.Shared.CompareTo(Shared)
            : Apart != other.Apart ? Apart.CompareTo(other.Apart)
            : Id.CompareTo(other.Id);
    }

    // Sorts hits (and items beside them) in that order; the first min(MaxCandidates, length) are the best.
    private static int Best<T>(Hit[] hits, T[]? items, int length)
    {
        if (items is null)
        {
            Array.Sort(hits, 0, length);
        }
        else
        {
            Array.Sort(hits, items, 0, length);
        }
        return Math.Min(MaxCandidates, length);
    }

    // Each item's MaxCandidates best stored items. Each distinct search key of the batch is looked
    // up once in the B-tree of story_window_keys, over the union of the windows of the items that
    // search it (items of a batch are close in time and story mates share keys: a few thousand
    // lookups instead of ~24 per item); each item then takes, per key, the rows inside its own
    // window, at most RowsPerKey of them, the nearest in time (Nearest), and shared keys are counted and
    // ranked here. Then only the chosen rows are read from items, each once. Returns them and the
    // number of stored items that shared a key (for the profile).
    // `previous`: a batch written but not visible to conn, whose items are found in memory as its
    // rows would be found in the table (Exact is false if that could differ: more than half of
    // RowsPerKey rows under one key on one side of an item's time).
    // `memory`: the import's own items (StoryMemory), taken from it instead of the table when no
    // item after its last is visible (Held; else Foreign, and the search is the table's alone).
    // `unseen`: a batch whose items are not visible to conn (its key rows may be: `previous` null).
    private static async Task<(List<Member>[] Shortlists, int Found, bool Exact, bool Held, bool Foreign, long Rekeys)> ShortlistedAsync(NpgsqlConnection conn, DateTimeOffset[] at, int[][] searches,
        HashSet<int>[] bands, TimeSpan window, Assigned? previous, Assigned? unseen, StoryMemory? memory, StoryGroupingProfile profile, long lap, CancellationToken ct)
    {
        var count = at.Length;
        // The memory's rows are the table's only while no other writer re-keyed one of its items
        // (REVIEW11 R11-1): the re-key count must be the one it was begun under.
        var (foreignAfter, rekeys) = await AnyItemAfterAsync(conn, memory is { IsEmpty: false } ? memory.Last : null, ct);
        var held = memory is { IsEmpty: false } && !foreignAfter && memory.Rekeys == rekeys;
        var foreign = memory is { IsEmpty: false } && !held;
        // The memory holds the batch written before (Add never drops the newest).
        previous = held ? null : previous;
        unseen = held ? null : unseen;
        var below = held ? memory!.First : long.MaxValue;
        List<(DateTimeOffset At, long Id)> WithHeld(List<(DateTimeOffset At, long Id)> rows, int key, DateTimeOffset from, DateTimeOffset to) =>
            held ? Merged(rows, memory!.RowsOf(key), from, to) : rows;
        var spans = new Dictionary<int, (DateTimeOffset From, DateTimeOffset To, int Items)>();
        for (var i = 0; i < count; i++)
        {
            foreach (var key in searches[i])
            {
                spans[key] = spans.TryGetValue(key, out var s)
                    ? (at[i] - window < s.From ? at[i] - window : s.From, at[i] + window > s.To ? at[i] + window : s.To, s.Items + 1)
                    : (at[i] - window, at[i] + window, 1);
            }
        }
        var distinct = spans.Keys.ToArray();
        // At most RowsPerKey rows per item searching the key: never more than per-item lookups
        // would read; a key that has more in the union of the windows is cut.
        var union = await LookUpAsync(conn, distinct, distinct.Select(k => spans[k].From).ToArray(), distinct.Select(k => spans[k].To).ToArray(),
            distinct.Select(k => (int)Math.Min(int.MaxValue, (long)RowsPerKey * spans[k].Items)).ToArray(), below, profile, ct);
        var rowsOf = new Dictionary<int, List<(DateTimeOffset At, long Id)>>(distinct.Length);
        var cut = new HashSet<int>();
        for (var k = 0; k < distinct.Length; k++)
        {
            var key = distinct[k];
            rowsOf[key] = WithHeld(union[k], key, spans[key].From, spans[key].To);
            if (union[k].Count >= (long)RowsPerKey * spans[key].Items)
            {
                cut.Add(key);
            }
        }
        // A key whose union was cut short by its bound (common all week) is looked up again per
        // item: the nearest rows before its time and after it (two index range scans, one read
        // backwards), so that every item still sees the rows Nearest takes.
        var own = new Dictionary<(int Item, int Key), List<(DateTimeOffset At, long Id)>>();
        if (cut.Count > 0)
        {
            var pairs = Enumerable.Range(0, count).SelectMany(i => searches[i].Where(cut.Contains).Select(k => (Item: i, Key: k))).ToArray();
            var keys = pairs.Select(p => p.Key).ToArray();
            var half = pairs.Select(_ => RowsPerKey / 2).ToArray();
            var before = await LookUpAsync(conn, keys, pairs.Select(p => at[p.Item] - window).ToArray(), pairs.Select(p => at[p.Item]).ToArray(), half, below, profile, ct, newestFirst: true);
            var after = await LookUpAsync(conn, keys, pairs.Select(p => at[p.Item] + Microsecond).ToArray(), pairs.Select(p => at[p.Item] + window).ToArray(), half, below, profile, ct);
            for (var e = 0; e < pairs.Length; e++)
            {
                before[e].Reverse();
                var (item, key) = pairs[e];
                own[pairs[e]] = WithHeld([.. before[e], .. after[e]], key, at[item] - window, at[item] + window);
            }
        }
        var chosen = new long[count][];
        var found = 0;
        var exact = true;
        Parallel.For(0, count, i =>
        {
            var shared = new Dictionary<long, (int Shared, bool Banded, DateTimeOffset At)>();
            var from = at[i] - window;
            var to = at[i] + window;
            foreach (var key in searches[i])
            {
                var banded = bands[i].Contains(key);
                var rows = own.TryGetValue((i, key), out var mine) ? mine : rowsOf[key];
                var (start, split, end, lower, upper) = Nearest(rows, at[i], window);
                for (var r = start; r < end; r++)
                {
                    var (stamp, id) = rows[r];
                    shared[id] = shared.TryGetValue(id, out var h) ? (h.Shared + 1, h.Banded || banded, stamp) : (1, banded, stamp);
                }
                if (previous is not null && previous.ByKey.TryGetValue(key, out var written))
                {
                    int earlier = split - lower, later = upper - split;
                    foreach (var m in written)
                    {
                        if (m.At >= from && m.At <= to)
                        {
                            _ = m.At <= at[i] ? earlier++ : later++;
                            shared[m.Id] = shared.TryGetValue(m.Id, out var h) ? (h.Shared + 1, h.Banded || banded, m.At) : (1, banded, m.At);
                        }
                    }
                    if (earlier > RowsPerKey / 2 || later > RowsPerKey / 2)
                    {
                        exact = false;
                    }
                }
            }
            var hits = new Hit[shared.Count];
            var n = 0;
            foreach (var (id, h) in shared)
            {
                hits[n++] = new Hit(id, h.Shared, h.Banded, (h.At - at[i]).Duration());
            }
            var ids = new long[Best<Hit>(hits, null, n)];
            for (var k = 0; k < ids.Length; k++)
            {
                ids[k] = hits[k].Id;
            }
            chosen[i] = ids;
            Interlocked.Add(ref found, n);
        });
        profile.Looked(searches.Sum(s => s.Length), distinct.Length + own.Count);
        lap = profile.Lap(StoryGroupingProfile.Phase.CandidateSearch, lap);
        var members = unseen is null ? new Dictionary<long, Member>() : unseen.Members.ToDictionary(m => m.Id);
        if (held)
        {
            foreach (var id in chosen.SelectMany(c => c))
            {
                if (memory!.TryGet(id, out var m))
                {
                    members[id] = m;
                }
            }
        }
        var texts = new List<(long Id, long StoryId, string? Provider, DateTimeOffset At, string Title, string? Excerpt)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, story_id, provider_domain, coalesce(published_at, imported_at), coalesce(story_sim_hash, 0), story_term_ids,
                   CASE WHEN story_term_ids IS NULL THEN title END, CASE WHEN story_term_ids IS NULL THEN excerpt END
            FROM items WHERE id = ANY(@ids)
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = chosen.SelectMany(c => c).Where(id => !members.ContainsKey(id)).Distinct().ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var packed = new PackedTerms();
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(0);
                var storyId = reader.GetInt64(1);
                var provider = reader.IsDBNull(2) ? null : reader.GetString(2);
                var stamp = reader.GetFieldValue<DateTimeOffset>(3);
                if (!reader.IsDBNull(5) && StoryTerms.Unpack(packed.Read(reader, 5), unchecked((ulong)reader.GetInt64(4))) is { } terms)
                {
                    members[id] = new Member(id, storyId, provider, stamp, terms);
                }
                else if (!reader.IsDBNull(6))
                {
                    texts.Add((id, storyId, provider, stamp, reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
                }
            }
        }
        lap = profile.Lap(StoryGroupingProfile.Phase.CandidateRead, lap);
        // An item stored before the terms were kept is analysed from its text.
        var analyzed = new StoryTerms[texts.Count];
        Parallel.For(0, texts.Count, i => analyzed[i] = StoryText.Analyze(texts[i].Title, texts[i].Excerpt));
        for (var i = 0; i < texts.Count; i++)
        {
            var t = texts[i];
            members[t.Id] = new Member(t.Id, t.StoryId, t.Provider, t.At, analyzed[i]);
        }
        var shortlists = new List<Member>[count];
        for (var i = 0; i < count; i++)
        {
            shortlists[i] = chosen[i].Where(members.ContainsKey).Select(id => members[id]).ToList();
        }
        profile.Lap(StoryGroupingProfile.Phase.CandidatesAnalysed, lap);
        return (shortlists, found, exact, held, foreign, rekeys);
    }

    // Whether an item with a higher id than `last` (when given) is visible (one step of the
    // primary key), and the re-key count (StoryKeyUpkeep.Count), in one round trip.
    private static async Task<(bool After, long Rekeys)> AnyItemAfterAsync(NpgsqlConnection conn, long? last, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT @last IS NOT NULL AND EXISTS (SELECT 1 FROM items WHERE id > @last), ({StoryKeyUpkeep.CountSql})", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long?>("last", NpgsqlDbType.Bigint) { TypedValue = last });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetBoolean(0), reader.GetInt64(1));
    }

    // A key's rows from the table and those of memory in [from, to], in (at, id) order.
    private static List<(DateTimeOffset At, long Id)> Merged(List<(DateTimeOffset At, long Id)> table, List<(DateTimeOffset At, long Id)>? held, DateTimeOffset from, DateTimeOffset to)
    {
        if (held is null)
        {
            return table;
        }
        if (table.Count == 0)
        {
            // Each item takes only its own window's rows (Nearest): no copy needed.
            return held;
        }
        int After(DateTimeOffset t)
        {
            var (lo, hi) = (0, held.Count);
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (held[mid].At <= t) { lo = mid + 1; } else { hi = mid; }
            }
            return lo;
        }
        var (start, end) = (After(from - Microsecond), After(to));
        if (start >= end)
        {
            return table;
        }
        var rows = new List<(DateTimeOffset At, long Id)>(table.Count + end - start);
        var t = 0;
        for (var h = start; h < end; h++)
        {
            var row = held[h];
            while (t < table.Count && (table[t].At < row.At || (table[t].At == row.At && table[t].Id < row.Id)))
            {
                rows.Add(table[t++]);
            }
            rows.Add(row);
        }
        while (t < table.Count)
        {
            rows.Add(table[t++]);
        }
        return rows;
    }

    // An array column read in its binary form (PostgreSQL's array_send: dimensions, a null flag,
    // the element type, each dimension's size and lower bound, then each element's length and
    // big-endian value) into buffers reused from row to row: Npgsql's array reader costs a step of
    // an async state machine per element and an array per row. Empty when the value is not a
    // one-dimensional array of that element type and size without nulls.
    // (TElement, a struct, reads one element: the JIT compiles the loop for it, with no call per element.)
    internal class BinaryArray<T, TElement>(int elementType, int size) where TElement : struct, IBigEndian<T>
    {
        private byte[] _bytes = new byte[2048];
        private T[] _values = new T[512];

        public ReadOnlySpan<T> Read(NpgsqlDataReader reader, int ordinal)
        {
            var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
            if (length > _bytes.Length)
            {
                _bytes = new byte[Math.Max(length, 2 * _bytes.Length)];
            }
            reader.GetBytes(ordinal, 0, _bytes, 0, length);
            return Decode(_bytes.AsSpan(0, length));
        }

        internal ReadOnlySpan<T> Decode(ReadOnlySpan<byte> value)
        {
            if (value.Length < 20 || BinaryPrimitives.ReadInt32BigEndian(value) != 1 || BinaryPrimitives.ReadInt32BigEndian(value[8..]) != elementType)
            {
                return [];
            }
            var count = BinaryPrimitives.ReadInt32BigEndian(value[12..]);
            if (count < 0 || (long)count * (4 + size) != value.Length - 20)
            {
                return [];
            }
            if (count > _values.Length)
            {
                _values = new T[Math.Max(count, 2 * _values.Length)];
            }
            for (var i = 0; i < count; i++)
            {
                var at = 20 + (4 + size) * i;
                if (BinaryPrimitives.ReadInt32BigEndian(value[at..]) != size)
                {
                    return [];
                }
                _values[i] = TElement.Read(value.Slice(at + 4, size));
            }
            return _values.AsSpan(0, count);
        }
    }

    // story_term_ids (int4[]): the candidate read reads ~10,000 rows of ~100 ids a batch. Not a
    // packing when not decoded: the caller then analyses the text instead.
    internal sealed class PackedTerms() : BinaryArray<int, Int4>(23, 4);

    // The key lookups' arrays: times (timestamptz, microseconds since 2000) and item ids (int8).
    internal static BinaryArray<long, Int8> Timestamps() => new(1184, 8);

    internal static BinaryArray<long, Int8> Int8s() => new(20, 8);

    internal interface IBigEndian<T>
    {
        static abstract T Read(ReadOnlySpan<byte> bytes);
    }

    internal readonly struct Int4 : IBigEndian<int>
    {
        public static int Read(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes);
    }

    internal readonly struct Int8 : IBigEndian<long>
    {
        public static long Read(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt64BigEndian(bytes);
    }

    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);

    // The rows of one key an item's search takes, of rows in the index's order (at, then item id):
    // those inside its window, at most RowsPerKey / 2 on each side of its time, the nearest to it
    // (a key common all week keeps the tellings closest to the item, not the week's oldest).
    // rows[Start..End) are taken; Split is the first row after the item's time; rows[Lower..Upper)
    // are all of the window's.
    internal static (int Start, int Split, int End, int Lower, int Upper) Nearest(IReadOnlyList<(DateTimeOffset At, long Id)> rows, DateTimeOffset at, TimeSpan window)
    {
        int After(DateTimeOffset t, bool inclusive)
        {
            var (lo, hi) = (0, rows.Count);
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (rows[mid].At < t || (inclusive && rows[mid].At == t)) { lo = mid + 1; } else { hi = mid; }
            }
            return lo;
        }
        var lower = After(at - window, inclusive: false);
        var split = After(at, inclusive: true);
        var upper = After(at + window, inclusive: true);
        return (Math.Max(lower, split - RowsPerKey / 2), split, Math.Min(upper, split + RowsPerKey / 2), lower, upper);
    }

    // Rows of story_window_keys under keys[e] with at in [from[e], to[e]], at most limit[e], in the
    // index's order (or the reverse). LATERAL with LIMIT keeps each lookup a subquery of its own: a
    // nested loop of index range scans, never a hash join over a whole table. Each key's rows come
    // back as two arrays (times, item ids) in one result row, not a result row each: a batch's
    // lookups return ~60,000 rows, and a row costs the server its output and Npgsql its read.
    // Only rows of items with ids below `below` (an index condition: rows left out cost no heap fetch).
    private static async Task<List<(DateTimeOffset At, long Id)>[]> LookUpAsync(NpgsqlConnection conn, int[] keys, DateTimeOffset[] from, DateTimeOffset[] to, int[] limit,
        long below, StoryGroupingProfile profile, CancellationToken ct, bool newestFirst = false)
    {
        var rows = new List<(DateTimeOffset At, long Id)>[keys.Length];
        for (var e = 0; e < keys.Length; e++)
        {
            rows[e] = [];
        }
        var order = newestFirst ? "w.at DESC, w.item_id DESC" : "w.at, w.item_id";
        // array_agg keeps the order of the sorted subquery it reads (checked below all the same).
        await using var cmd = new NpgsqlCommand($"""
            SELECT s.e, w.ats, w.ids
            FROM unnest(@keys, @from, @to, @limit) WITH ORDINALITY AS s(key, lo, hi, n, e) CROSS JOIN LATERAL (
              SELECT array_agg(w.at) AS ats, array_agg(w.item_id) AS ids FROM (
                SELECT w.at, w.item_id FROM story_window_keys w
                WHERE w.key = s.key AND w.at BETWEEN s.lo AND s.hi AND w.item_id < @below ORDER BY {order} LIMIT s.n) w) w
            WHERE w.ids IS NOT NULL
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("from", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = from });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("to", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = to });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("limit", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = limit });
        cmd.Parameters.AddWithValue("below", below);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var (times, ids) = (Timestamps(), Int8s());
        long returned = 0;
        while (await reader.ReadAsync(ct))
        {
            var list = rows[(int)reader.GetInt64(0) - 1];
            var stamps = times.Read(reader, 1);
            var items = ids.Read(reader, 2);
            if (stamps.Length != items.Length || stamps.Length == 0)
            {
                // Not the one-dimensional arrays without nulls this statement sends: read them as Npgsql does.
                var (a, b) = (reader.GetFieldValue<DateTimeOffset[]>(1), reader.GetFieldValue<long[]>(2));
                list.AddRange(a.Zip(b));
            }
            else
            {
                list.EnsureCapacity(stamps.Length);
                for (var r = 0; r < stamps.Length; r++)
                {
                    list.Add((PostgresEpoch.AddTicks(stamps[r] * 10), items[r]));
                }
            }
            returned += list.Count;
        }
        profile.Returned(returned);
        // The order the caller relies on (Nearest's binary search), whatever the plan did: one
        // comparison both checks it and, where a list is out of it, sorts by it.
        int Order((DateTimeOffset At, long Id) x, (DateTimeOffset At, long Id) y) =>
            (x.At.CompareTo(y.At) is var c && c != 0 ? c : x.Id.CompareTo(y.Id)) * (newestFirst ? -1 : 1);
        foreach (var list in rows)
        {
            for (var r = 1; r < list.Count; r++)
            {
                if (Order(list[r - 1], list[r]) > 0)
                {
                    list.Sort(Order);
                    break;
                }
            }
        }
        return rows;
    }

    private static readonly DateTimeOffset PostgresEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // The new items' search keys, with the time each is compared by, for the candidate search of
    // later batches (by COPY, in the import's transaction; the items' own rows follow).
    public static async Task WriteKeysAsync(NpgsqlConnection conn, IEnumerable<Item> items, CancellationToken ct)
    {
        await using var copy = await conn.BeginBinaryImportAsync("COPY story_window_keys (key, at, item_id) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var item in items)
        {
            var at = When(item);
            foreach (var key in item.StoryKeys ?? [])
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(key, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(item.Id, NpgsqlDbType.Bigint, ct);
            }
        }
        await copy.CompleteAsync(ct);
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
