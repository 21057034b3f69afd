namespace Cms.Core.Stories;

// How alike two tellings are: the cosine of their term vectors, each term weighted by its inverse
// document frequency (a name or a number counts, "government" hardly) and title terms counted more.
public static class StorySimilarity
{
    public static double Idf(long documentFrequency, long documents) =>
        Math.Log(1.0 + (Math.Max(documents, 1) + 1.0) / (Math.Max(documentFrequency, 1) + 0.5));

    public static double Cosine(StoryTerms a, StoryTerms b, Func<int, double> idf, double titleWeight)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return 0;
        }
        double dot = 0;
        int i = 0, j = 0;
        while (i < a.All.Length && j < b.All.Length)
        {
            var ta = a.All[i];
            var tb = b.All[j];
            if (ta < tb)
            {
                i++;
            }
            else if (ta > tb)
            {
                j++;
            }
            else
            {
                var w = idf(ta);
                dot += w * Boost(a, ta, titleWeight) * w * Boost(b, ta, titleWeight);
                i++;
                j++;
            }
        }
        return dot == 0 ? 0 : dot / (Norm(a, idf, titleWeight) * Norm(b, idf, titleWeight));
    }

    // How much of the names and numbers of the telling that has fewer of them the other one also
    // has, weighted by IDF; null when either has none (nothing to say).
    // The share is taken of the smaller name list, but of no less than this part of the larger one:
    // a telling naming only a number would otherwise "fully agree" with any story holding that
    // number. 0.6 measured best on the labelled set (docs/benchmarks.md, "Stories").
    public const double NameBlend = 0.6;

    public static double? NameOverlap(StoryTerms a, StoryTerms b, Func<int, double> idf)
    {
        if (a.Names.Length == 0 || b.Names.Length == 0)
        {
            return null;
        }
        double shared = 0;
        foreach (var t in a.Names)
        {
            if (Array.BinarySearch(b.Names, t) >= 0)
            {
                shared += idf(t);
            }
        }
        var (sa, sb) = (a.Names.Sum(idf), b.Names.Sum(idf));
        return shared / Math.Max(Math.Min(sa, sb), NameBlend * Math.Max(sa, sb));
    }

    private static double Boost(StoryTerms terms, int term, double titleWeight) =>
        Array.BinarySearch(terms.Title, term) >= 0 ? 1.0 + titleWeight : 1.0;

    private static double Norm(StoryTerms terms, Func<int, double> idf, double titleWeight)
    {
        double sum = 0;
        foreach (var t in terms.All)
        {
            var w = idf(t) * Boost(terms, t, titleWeight);
            sum += w * w;
        }
        return Math.Sqrt(sum);
    }

    // The score an item gives a candidate: a near copy of the text counts as certain; otherwise the
    // cosine, unless the two name different things (too few shared names and numbers), which is
    // what tells apart two stories of one kind.
    public static double Score(StoryTerms a, StoryTerms b, Func<int, double> idf, StorySettings settings)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return 0;
        }
        if (Fingerprint.Distance(a.SimHash, b.SimHash) <= settings.MaxDistance)
        {
            return 1.0;
        }
        var names = NameOverlap(a, b, idf);
        // Tellings in two languages share little wording but the same names and numbers: nearly
        // all of them, and at least StrongNames of them, one a name, is the same story.
        if (names >= settings.StrongNameOverlap && SharedNames(a, b) is var (shared, words) && shared >= settings.StrongNames && words >= 1)
        {
            return 1.0;
        }
        return names < settings.MinNameOverlap ? 0 : Cosine(a, b, idf, settings.TitleWeight);
    }

    // Names and numbers both have, and how many of those are names (not numbers).
    public static (int Shared, int Words) SharedNames(StoryTerms a, StoryTerms b)
    {
        int shared = 0, words = 0;
        foreach (var t in a.Names)
        {
            if (Array.BinarySearch(b.Names, t) >= 0)
            {
                shared++;
                words += Array.BinarySearch(a.Numbers, t) >= 0 ? 0 : 1;
            }
        }
        return (shared, words);
    }
}
