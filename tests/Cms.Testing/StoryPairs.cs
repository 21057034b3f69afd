namespace Cms.Testing;

// Pairwise precision and recall of a grouping against the labels: a pair of items is "together"
// when both share a story. Counted from the contingency table, so a million items cost no more
// than reading them.
public sealed record StoryScore(long TruePairs, long PredictedPairs, long Correct)
{
    public double Precision => PredictedPairs == 0 ? 1 : (double)Correct / PredictedPairs;

    public double Recall => TruePairs == 0 ? 1 : (double)Correct / TruePairs;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static StoryScore Of<TKey>(IReadOnlyDictionary<TKey, int> truth, IReadOnlyDictionary<TKey, long> predicted) where TKey : notnull
    {
        static long Pairs(IEnumerable<int> sizes) => sizes.Sum(n => (long)n * (n - 1) / 2);
        var keys = truth.Keys.Where(predicted.ContainsKey).ToList();
        return new StoryScore(
            Pairs(keys.GroupBy(k => truth[k]).Select(g => g.Count())),
            Pairs(keys.GroupBy(k => predicted[k]).Select(g => g.Count())),
            Pairs(keys.GroupBy(k => (truth[k], predicted[k])).Select(g => g.Count())));
    }

    // Recall over the true pairs a filter keeps (e.g. pairs told in two languages).
    public static (long Pairs, double Recall) RecallWhere<TKey>(IReadOnlyDictionary<TKey, int> truth, IReadOnlyDictionary<TKey, long> predicted, Func<TKey, TKey, bool> keep)
        where TKey : notnull
    {
        long pairs = 0, found = 0;
        foreach (var story in truth.Keys.Where(predicted.ContainsKey).GroupBy(k => truth[k]))
        {
            var members = story.ToList();
            for (var i = 0; i < members.Count; i++)
            {
                for (var j = i + 1; j < members.Count; j++)
                {
                    if (keep(members[i], members[j]))
                    {
                        pairs++;
                        found += predicted[members[i]] == predicted[members[j]] ? 1 : 0;
                    }
                }
            }
        }
        return (pairs, pairs == 0 ? 1 : (double)found / pairs);
    }
}
