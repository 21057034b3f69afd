namespace Cms.Core.Items;

// Bounds on one imported item, so a hostile or broken file cannot bloat rows, pages or the
// sanitizer. Defaults sit far above real items (titles under 100 characters, excerpts a few
// hundred, a handful of topics, links and images). A host may bind overrides from the
// configuration section "Import:Limits". Lengths count UTF-16 characters, as .NET and the
// editors' forms do. The topic name limit is not here: it is the width of the topics columns and
// of the forms (TopicNames.MaxLength), so it cannot be raised by configuration.
public sealed class ItemLimits
{
    public const string SectionName = "Import:Limits";

    public static ItemLimits Default { get; } = new();

    // A headline, shown in lists; real ones are under 200.
    public int MaxTitleLength { get; init; } = 1_000;

    // A summary that may hold HTML; sanitizing gets slow on very large HTML.
    public int MaxExcerptLength { get; init; } = 20_000;

    // provider.name and provider.domain, of the item and of each related link.
    public int MaxProviderLength { get; init; } = 200;

    // A section name; categories join a managed list shown in a select.
    public int MaxCategoryLength { get; init; } = 100;

    // A short kind such as "article".
    public int MaxTypeLength { get; init; } = 50;

    // originalUrl, webUrl, related webUrl and image url; 2,048 is what browsers and proxies
    // reliably handle.
    public int MaxUrlLength { get; init; } = 2_048;

    public int MaxTopics { get; init; } = 50;

    public int MaxRelated { get; init; } = 50;

    public int MaxImages { get; init; } = 50;

    public int MaxRelatedTitleLength { get; init; } = 1_000;

    // Other outlets' summaries; real ones are a few hundred characters.
    public int MaxRelatedExcerptLength { get; init; } = 5_000;

    // A zero or negative limit from configuration would refuse every item (or disable nothing
    // useful), so it is a startup error rather than an import failure.
    public void EnsureValid()
    {
        Check(MaxTitleLength, nameof(MaxTitleLength));
        Check(MaxExcerptLength, nameof(MaxExcerptLength));
        Check(MaxProviderLength, nameof(MaxProviderLength));
        Check(MaxCategoryLength, nameof(MaxCategoryLength));
        Check(MaxTypeLength, nameof(MaxTypeLength));
        Check(MaxUrlLength, nameof(MaxUrlLength));
        Check(MaxTopics, nameof(MaxTopics));
        Check(MaxRelated, nameof(MaxRelated));
        Check(MaxImages, nameof(MaxImages));
        Check(MaxRelatedTitleLength, nameof(MaxRelatedTitleLength));
        Check(MaxRelatedExcerptLength, nameof(MaxRelatedExcerptLength));
    }

    private static void Check(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException($"{SectionName}:{name}", value, "an item limit must be at least 1");
        }
    }
}
