using System.Globalization;
using System.Text;

namespace Cms.Testing;

// One item file for a test, in the source format (docs/ITEM_FORMAT.md). Every instance gets its
// own originalUrl and title, so tests sharing a database never import onto each other's items; a
// `with` copy keeps the URL, so it is the same item changed at the source. Optional fields left
// null are left out of the file. Hostile or malformed shapes belong inline in their tests.
public sealed record TestItem
{
    public string Title { get; init; } = "Story " + Unique.Tag();

    public string OriginalUrl { get; init; } = "https://news.example/story/" + Unique.Tag();

    public string? Excerpt { get; init; }

    public string? Category { get; init; }

    public string? ProviderName { get; init; }

    public string? ProviderDomain { get; init; }

    public DateTimeOffset? PublishedDateTime { get; init; }

    public int? Quality { get; init; }

    public int? Heat { get; init; }

    public bool? Published { get; init; }

    // Empty writes `topics: []`.
    public IReadOnlyList<string>? Topics { get; init; }

    // Other coverage as (title, webUrl); empty writes `related: []`. The URL is written as given,
    // unsafe ones included.
    public IReadOnlyList<(string Title, string Url)>? Related { get; init; }

    // Shorthand for Related: this many links, "Related 0", "Related 1", ..., under the item's own URL.
    public int? RelatedCount { get; init; }

    // Raw lines added at the end of the mapping, e.g. fields the CMS does not know.
    public IReadOnlyList<string> ExtraYaml { get; init; } = [];

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    public string ToYaml()
    {
        if (Related is not null && RelatedCount is not null)
        {
            throw new InvalidOperationException("Set Related or RelatedCount, not both.");
        }
        var yaml = new StringBuilder("---\n");
        Line(yaml, "category", Category);
        Line(yaml, "title", Title);
        Line(yaml, "excerpt", Excerpt);
        if (PublishedDateTime is { } at)
        {
            yaml.Append("publishedDateTime: ").Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        }
        Line(yaml, "originalUrl", OriginalUrl);
        Number(yaml, "quality", Quality);
        Number(yaml, "heat", Heat);
        if (Published is { } published)
        {
            yaml.Append("published: ").Append(published ? "true" : "false").Append('\n');
        }
        if (ProviderName is not null || ProviderDomain is not null)
        {
            yaml.Append("provider:\n");
            Line(yaml, "  name", ProviderName);
            Line(yaml, "  domain", ProviderDomain);
        }
        if (Topics is not null)
        {
            yaml.Append("topics: [").Append(string.Join(", ", Topics.Select(YamlText.Quote))).Append("]\n");
        }
        var related = Related ?? (RelatedCount is { } count
            ? Enumerable.Range(0, count).Select(r => ($"Related {r}", $"{OriginalUrl}/related/{r}")).ToList()
            : null);
        if (related is { Count: 0 })
        {
            yaml.Append("related: []\n");
        }
        else if (related is not null)
        {
            yaml.Append("related:\n");
            foreach (var (title, url) in related)
            {
                yaml.Append("  - title: ").Append(YamlText.Quote(title)).Append('\n');
                yaml.Append("    webUrl: ").Append(YamlText.Quote(url)).Append('\n');
            }
        }
        foreach (var line in ExtraYaml)
        {
            yaml.Append(line).Append('\n');
        }
        return yaml.Append("---\n").ToString();
    }

    private static void Line(StringBuilder yaml, string key, string? value)
    {
        if (value is not null)
        {
            yaml.Append(key).Append(": ").Append(YamlText.Quote(value)).Append('\n');
        }
    }

    private static void Number(StringBuilder yaml, string key, int? value)
    {
        if (value is { } n)
        {
            yaml.Append(key).Append(": ").Append(n.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

}

// Short unique strings for titles, URLs, topics, categories and emails, so tests that share a
// database do not see each other's data.
public static class Unique
{
    public static string Tag() => Guid.NewGuid().ToString("N")[..12];
}
