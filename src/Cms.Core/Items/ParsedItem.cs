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

// Identity: the link's normalized webUrl (LinkIdentity); null when the webUrl is not an absolute
// http(s) URL, or when an earlier entry has the same identity (DuplicateOf: that entry's position).
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
    string? ImageUrl,
    string? Identity,
    int? DuplicateOf);

public sealed record ParsedImage(string Url, int? Width, int? Height);
