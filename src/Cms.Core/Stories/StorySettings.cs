namespace Cms.Core.Stories;

// Settings "Stories:*" (environment Stories__Window, Stories__MinSimilarity, ...). The defaults
// are the ones the threshold sweep of `./cms bench stories` chose (docs/benchmarks.md).
public sealed class StorySettings
{
    public const string SectionName = "Stories";

    // Whether import groups new items into stories at all (off: every item starts its own).
    public bool Grouping { get; init; } = true;

    // An item is compared with items published at most this long before or after it.
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(72);

    // Fingerprints this close (in bits of 64) are copies of one text: same story whatever the terms say.
    public int MaxDistance { get; init; } = 3;

    // Weighted cosine of the terms at or above which an item joins the best story.
    public double MinSimilarity { get; init; } = 0.35;

    // Share (IDF-weighted) of the names and numbers of the telling with fewer of them that the other
    // must also have; below it two texts are different stories of one kind, however alike.
    public double MinNameOverlap { get; init; } = 0.7;

    // Names and numbers alone make it the same story (the case of two languages) when the overlap
    // reaches this and at least StrongNames are shared, one of them a name.
    public double StrongNameOverlap { get; init; } = 0.9;

    public int StrongNames { get; init; } = 2;

    // A title term counts this much more than an excerpt term.
    public double TitleWeight { get; init; } = 1.0;

    // How many of an item's rarest terms go into the index and into a search, and how common a
    // term may be (share of all items) and still be one of them. 8: with 5 the labelled set kept
    // its recall, but a word found in one item only is the rarest of all, and with few items
    // stored five such words took every key, so two tellings shared none (StoriesCommandTests).
    public int KeyTerms { get; init; } = 8;

    public double KeyMaxShare { get; init; } = 0.05;

    // Items of the running import whose key rows and terms its writer keeps for the batches after
    // them (StoryMemory; ~1.1 KiB an item, measured); past it the oldest batches are found in the table
    // again. 0: none kept.
    public int ImportMemoryItems { get; init; } = 50_000;

    public void EnsureValid()
    {
        if (Window <= TimeSpan.Zero || Window > TimeSpan.FromDays(30) || MaxDistance is < 0 or > 15 || MinSimilarity is <= 0 or > 1 || MinNameOverlap is < 0 or > 1 || StrongNameOverlap is < 0 or > 1 || StrongNames < 1
            || TitleWeight < 0 || KeyTerms is < 1 or > 32 || KeyMaxShare is <= 0 or > 1 || ImportMemoryItems < 0)
        {
            throw new ArgumentOutOfRangeException(SectionName,
                "Stories: Window must be within 30 days, MaxDistance 0-15, MinSimilarity in (0, 1], MinNameOverlap and StrongNameOverlap in [0, 1], StrongNames >= 1, TitleWeight >= 0, KeyTerms 1-32, KeyMaxShare in (0, 1], ImportMemoryItems >= 0");
        }
    }
}
