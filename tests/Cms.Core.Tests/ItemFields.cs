using Cms.Core.Items;

namespace Cms.Core.Tests;

// The string fields the parser reads, addressed by the name a ReadProblem gives them, so one test
// can run over all of them: put a value there, read back what the parser made of it.
internal static class ItemFields
{
    public static ItemYaml With(string field, string value) => field switch
    {
        "title" or "excerpt" or "category" or "type" or "originalUrl" or "webUrl" => ItemYaml.Valid().Set(field, value),
        "provider.name" => ItemYaml.Valid().Raw("provider", "\n  " + ItemYaml.Link("name", value)),
        "provider.domain" => ItemYaml.Valid().Raw("provider", "\n  " + ItemYaml.Link("domain", value)),
        "topics[1]" => ItemYaml.Valid().Topics("first", value),
        "related[2].title" or "related[2].excerpt" or "related[2].webUrl" => ThirdLink(ItemYaml.Link(field[11..], value)),
        "related[2].provider.name" => ThirdLink(ItemYaml.Provider("name", value)),
        "related[2].provider.domain" => ThirdLink(ItemYaml.Provider("domain", value)),
        "images[1].url" => ItemYaml.Valid().Images(ItemYaml.Link("url", "https://img.example/0.jpg"), ItemYaml.Link("url", value)),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no such field in this helper"),
    };

    public static string? Read(ParsedItem item, string field) => field switch
    {
        "title" => item.Title,
        "excerpt" => item.Excerpt,
        "category" => item.Category,
        "type" => item.Type,
        "originalUrl" => item.OriginalUrl,
        "webUrl" => item.WebUrl,
        "provider.name" => item.ProviderName,
        "provider.domain" => item.ProviderDomain,
        "topics[1]" => item.Topics[1],
        "related[2].title" => item.Related[2].Title,
        "related[2].excerpt" => item.Related[2].Excerpt,
        "related[2].webUrl" => item.Related[2].Url,
        "related[2].provider.name" => item.Related[2].ProviderName,
        "related[2].provider.domain" => item.Related[2].ProviderDomain,
        "images[1].url" => item.Images[1].Url,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no such field in this helper"),
    };

    // A value of exactly `length` characters that is valid for the field apart from its length.
    public static string ValueOfLength(string field, int length) =>
        field.EndsWith("Url", StringComparison.Ordinal) || field.EndsWith("url", StringComparison.Ordinal)
            ? "https://e.com/" + new string('a', length - "https://e.com/".Length)
            : new string('x', length);

    // Line and column where `value`, quoted, starts in the file (the opening '---' is line 1).
    public static (int Line, int Column) PositionOf(string text, string value)
    {
        var at = text.IndexOf(ItemYaml.Quote(value), StringComparison.Ordinal);
        var lineStart = text.LastIndexOf('\n', at) + 1;
        return (1 + text.AsSpan(0, at).Count('\n'), at - lineStart + 1);
    }

    private static ItemYaml ThirdLink(string link) =>
        ItemYaml.Valid().Related(ItemYaml.Link("title", "first"), ItemYaml.Link("title", "second"), link);
}
