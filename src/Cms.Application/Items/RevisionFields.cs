using System.Text.Json;
using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Items;

// The item's fields as a pending source revision is compared and accepted field by field: each
// one shown decoded (as the parser read it, never as YAML with escapes or type tags), from the
// stored item, from the source it was imported from and from the incoming source.
public static class RevisionFields
{
    public sealed record Snapshot(
        string Title, string? Excerpt, string? Category, string? Type, string? ProviderName, string? ProviderDomain,
        DateTimeOffset? PublishedAt, string? WebUrl, int? Quality, int? Heat, IReadOnlyList<string> Topics,
        IReadOnlyList<(string? Title, string? Url)> Related, IReadOnlyList<string> Images, string? Secured);

    // Field name (the source's key), label, and the decoded value shown to the editor.
    public sealed record Field(string Name, string Label, Func<Snapshot, string?> Show, bool OnItem = true);

    public static readonly IReadOnlyList<Field> All =
    [
        new("title", "Title", s => s.Title),
        new("excerpt", "Excerpt", s => s.Excerpt),
        new("category", "Category", s => s.Category),
        new("type", "Type", s => s.Type),
        new("provider", "Provider", s => Join(" ", s.ProviderName, s.ProviderDomain)),
        new("publishedDateTime", "Published", s => s.PublishedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'")),
        new("webUrl", "Web URL", s => s.WebUrl),
        new("quality", "Quality", s => s.Quality?.ToString()),
        new("heat", "Heat", s => s.Heat is -1 ? "unknown" : s.Heat?.ToString()),
        new("topics", "Topics", s => s.Topics.Count == 0 ? null : string.Join(", ", s.Topics)),
        new("related", "Related links", s => s.Related.Count == 0 ? null : string.Join("\n", s.Related.Select(r => Join(" — ", r.Title, r.Url)))),
        new("images", "Images", s => s.Images.Count == 0 ? null : string.Join("\n", s.Images)),
        // Kept only in the source: it comes with whatever source the item holds.
        new("secured", "Secured", s => s.Secured, OnItem: false),
    ];

    public static IReadOnlySet<string> Names { get; } = All.Select(f => f.Name).Concat(["originalUrl", "published"]).ToHashSet(StringComparer.Ordinal);

    public static Snapshot Of(ParsedItem p) => new(
        p.Title, p.Excerpt, p.Category, p.Type, p.ProviderName, p.ProviderDomain, p.PublishedAt, p.WebUrl, p.Quality, p.Heat,
        p.Topics, p.Related.Select(r => (r.Title, r.Url)).ToList(), p.Images.Select(i => i.Url).ToList(), p.Secured);

    // The stored item (links and topics loaded); `secured` lives only in its source.
    public static Snapshot Of(Item i, string? secured) => new(
        i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt, i.WebUrl, i.Quality, i.Heat,
        i.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList(),
        i.RelatedLinks.OrderBy(l => l.Position).Select(l => (l.Title, l.Url)).ToList(),
        Images(i.ImagesJson), secured);

    public static List<string> Images(string? json) =>
        json is null ? [] : (JsonSerializer.Deserialize<List<ParsedImage>>(json) ?? []).Select(i => i.Url).ToList();

    private static string? Join(string separator, params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join(separator, present);
    }

    // The incoming value of one field onto the item (topics are resolved by the caller).
    public static void Apply(Item item, string field, ParsedItem incoming, DateTimeOffset now)
    {
        switch (field)
        {
            case "title": item.Title = incoming.Title; break;
            case "excerpt": item.Excerpt = incoming.Excerpt; break;
            case "category": item.Category = incoming.Category; break;
            case "type": item.Type = incoming.Type; break;
            case "provider": item.ProviderName = incoming.ProviderName; item.ProviderDomain = incoming.ProviderDomain; break;
            case "publishedDateTime": item.PublishedAt = incoming.PublishedAt; break;
            case "webUrl": item.WebUrl = incoming.WebUrl; break;
            case "quality": item.Quality = incoming.Quality; break;
            case "heat": item.Heat = incoming.Heat; break;
            case "images": item.ImagesJson = JsonSerializer.Serialize(incoming.Images); break;
            case "related": ReplaceLinks(item, incoming); break;
        }
    }

    // The incoming links replace the stored ones; a link with the same URL keeps the editor's decision.
    private static void ReplaceLinks(Item item, ParsedItem incoming)
    {
        var decided = item.RelatedLinks.Where(l => l.Url is not null).GroupBy(l => l.Url!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var links = incoming.Related.Select(r =>
        {
            var link = Importing.ItemRows.Link(item.Id, r);
            if (r.Url is not null && decided.TryGetValue(r.Url, out var old) && ItemChanges.MayDecide(link, old.Decision))
            {
                (link.Decision, link.Reason, link.DecidedBy, link.DecidedAt) = (old.Decision, old.Reason, old.DecidedBy, old.DecidedAt);
            }
            return link;
        }).ToList();
        item.RelatedLinks.Clear();
        item.RelatedLinks.AddRange(links);
    }
}
