using Cms.Core.Stories;
using Cms.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Stories;

// An item's story keys (items.story_keys, story_term_ids, story_sim_hash and its rows of
// story_window_keys) derive from its title, excerpt and time. Every writer that changes one of
// those on a stored item (an import update of an untouched item, an accepted source revision)
// takes Inputs.Of(item) before the change and calls RekeyAsync after it, in its own transaction,
// so the candidate search finds the item at its current time under its current terms. The item
// keeps its story: moving it is an editor's decision (Move, Split). Term counts are weights
// counted once per item at first import and are not adjusted.
// Every re-keying transaction also adds one to the re-key count, in the same transaction: the
// import's grouping compares it with what its StoryMemory and a search begun ahead read, and drops
// them when another writer re-keyed an item in between (REVIEW11 R11-1). Transactional, so a
// search sees it move exactly when the new keys become visible. Added as a row of its own
// (story_rekey_log, keyed by the transaction id), never by updating a shared row: a writer that
// locked its item rows after re-keying (an accepted revision) and one that re-keys after locking
// items (an import batch) deadlocked on that row (REVIEW12 R12-1).
public static class StoryKeyUpkeep
{
    internal const string CountSql = "SELECT (SELECT count FROM story_rekeys) + (SELECT count(*) FROM story_rekey_log)";

    // The log grows by a row per re-keying transaction and CountSql counts it on every search, so
    // each import first folds the committed rows into the base row, in one statement: the sum
    // never changes (a reader sees it before or after), and re-keys never touch the base row, so
    // only two folds wait for each other (both lock the log's rows first, then the base row).
    public const string FoldLogSql = """
        WITH folded AS (DELETE FROM story_rekey_log RETURNING 1)
        UPDATE story_rekeys SET count = count + (SELECT count(*) FROM folded)
        """;

    public readonly record struct Inputs(DateTimeOffset At, string Title, string? Excerpt)
    {
        public static Inputs Of(Item item) => new(StoryGrouping.When(item), item.Title, item.Excerpt);
    }

    // Returns whether the item's keys were rewritten. The item's StoryKeys still hold the keys
    // written for `before` (the writers change only the fields above), which names its old rows.
    public static async Task<bool> RekeyAsync(NpgsqlConnection conn, StorySettings settings, Item item, Inputs before, CancellationToken ct)
    {
        if (Inputs.Of(item) == before || (!settings.Grouping && item.StoryKeys is null))
        {
            return false;
        }
        var terms = StoryText.Analyze(item.Title, item.Excerpt);
        var df = new Dictionary<int, long>();
        await StoryGrouping.AddTermCountsAsync(conn, df, [StoryTermCount.Documents, .. terms.All], ct);
        var at = StoryGrouping.When(item);
        var keyTerms = StoryKeys.KeyTerms(terms, t => df.GetValueOrDefault(t, 1), Math.Max(df.GetValueOrDefault(StoryTermCount.Documents), 1), settings).ToList();
        var oldKeys = item.StoryKeys ?? [];
        item.StorySimHash = unchecked((long)terms.SimHash);
        item.StoryKeys = StoryKeys.Stored(terms, keyTerms, at);
        item.StoryTermIds = terms.Pack();
        // Old rows by their primary key (key, at, item_id); the new ones in the same transaction.
        await using var write = new NpgsqlCommand("""
            DELETE FROM story_window_keys WHERE key = ANY(@old) AND at = @old_at AND item_id = @id;
            INSERT INTO story_window_keys (key, at, item_id) SELECT k, @at, @id FROM unnest(@new) AS k ON CONFLICT DO NOTHING;
            INSERT INTO story_rekey_log (xact) VALUES (txid_current()) ON CONFLICT DO NOTHING;
            """, conn);
        write.Parameters.Add(new NpgsqlParameter<int[]>("old", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = oldKeys });
        write.Parameters.Add(new NpgsqlParameter<int[]>("new", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = item.StoryKeys });
        write.Parameters.AddWithValue("old_at", before.At);
        write.Parameters.AddWithValue("at", at);
        write.Parameters.AddWithValue("id", item.Id);
        await write.ExecuteNonQueryAsync(ct);
        return true;
    }
}
