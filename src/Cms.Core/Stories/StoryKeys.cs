namespace Cms.Core.Stories;

// The keys under which an item is indexed for candidate search (an int[] with a GIN index): its
// rarest terms and its four SimHash bands, each tied to a time bucket, so that a search reads only
// the posting lists of a few rare terms in the few days around the item, never the table.
public static class StoryKeys
{
    // Twice the default window: a search of +-72 h spans at most two buckets. A wider window
    // setting spans more buckets and still finds everything; the stored keys do not change.
    public static readonly TimeSpan BucketWidth = TimeSpan.FromDays(6);

    public static long Bucket(DateTimeOffset at) => (long)Math.Floor(at.ToUnixTimeSeconds() / BucketWidth.TotalSeconds);

    public static IEnumerable<long> Buckets(DateTimeOffset at, TimeSpan window)
    {
        for (var b = Bucket(at - window); b <= Bucket(at + window); b++)
        {
            yield return b;
        }
    }

    // The rarest terms (lowest document frequency, then term id so that the choice is stable),
    // leaving out terms found in more than KeyMaxShare of all items.
    public static IEnumerable<int> KeyTerms(StoryTerms terms, Func<int, long> documentFrequency, long documents, StorySettings settings)
    {
        var limit = Math.Max(settings.KeyMaxShare * documents, 3);
        return terms.All
            .Select(t => (Term: t, Df: documentFrequency(t)))
            .Where(x => x.Df <= limit)
            .OrderBy(x => x.Df).ThenBy(x => x.Term)
            .Take(settings.KeyTerms)
            .Select(x => x.Term);
    }

    public static int Term(int term, long bucket) => Mix(1, term, bucket);

    public static int Band(ulong simHash, int band, long bucket) => Mix(2, (band << 16) | Fingerprint.Band(simHash, band), bucket);

    public static IEnumerable<int> Bands(ulong simHash, long bucket)
    {
        for (var band = 0; band < Fingerprint.Bands; band++)
        {
            yield return Band(simHash, band, bucket);
        }
    }

    // What an item is stored under: its key terms and bands in its own bucket.
    public static int[] Stored(StoryTerms terms, IEnumerable<int> keyTerms, DateTimeOffset at)
    {
        var bucket = Bucket(at);
        var keys = keyTerms.Select(t => Term(t, bucket));
        if (!terms.IsEmpty)
        {
            keys = keys.Concat(Bands(terms.SimHash, bucket));
        }
        return keys.Distinct().ToArray();
    }

    // What a search for an item looks up: the same keys in every bucket the window touches.
    public static int[] Search(StoryTerms terms, IReadOnlyCollection<int> keyTerms, DateTimeOffset at, TimeSpan window)
    {
        var keys = new HashSet<int>();
        foreach (var bucket in Buckets(at, window))
        {
            foreach (var t in keyTerms)
            {
                keys.Add(Term(t, bucket));
            }
            if (!terms.IsEmpty)
            {
                keys.UnionWith(Bands(terms.SimHash, bucket));
            }
        }
        return keys.ToArray();
    }

    private static int Mix(int kind, int value, long bucket)
    {
        var h = (ulong)kind * 0x9E3779B97F4A7C15UL ^ (uint)value;
        h = (h ^ (ulong)bucket * 0xC2B2AE3D27D4EB4FUL) * 0x165667B19E3779F9UL;
        h ^= h >> 29;
        return (int)(h ^ (h >> 32));
    }
}
