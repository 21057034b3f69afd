using Cms.Core.FrontMatter;

namespace Cms.Core.Items;

// The typed, validated view of one item file. `Document` keeps the whole source mapping so
// fields the CMS does not know survive to export.
public sealed record ParsedItem(
    FrontMatterDocument Document,
    string Title,
    string? Excerpt,
    string? Category,
    string? Type,
    string? ProviderName,
    string? ProviderDomain,
    DateTimeOffset? PublishedAt,
    string OriginalUrl,
    string NormalizedUrl,
    string? WebUrl,
    int? Quality,
    int? Heat,
    bool Published,
    IReadOnlyList<string> Topics,
    IReadOnlyList<ParsedRelated> Related,
    IReadOnlyList<ParsedImage> Images,
    string? Secured);

public sealed record ParsedRelated(
    int Position,
    string? Title,
    string? Excerpt,
    string? Url,
    bool IsSafeUrl,
    string? ProviderName,
    string? ProviderDomain,
    DateTimeOffset? PublishedAt,
    int? Quality,
    string? ImageUrl = null);

public sealed record ParsedImage(string Url, int? Width, int? Height);
