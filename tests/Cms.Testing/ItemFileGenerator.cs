using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cms.Testing;

// Generates realistic, varied item files for round-trip tests and benchmarks: unicode, emoji,
// right-to-left text, quotes, `---` inside strings, HTML excerpts, block scalars, 0-5 related
// links and unknown nested fields. Deterministic for a given seed.
public sealed class ItemFileGenerator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Words =
    [
        "market", "election", "AI", "climate", "Путин", "энергия", "العربية", "خبر", "עברית", "東京", "経済", "🚀", "🇺🇦",
        "naïve", "café", "Zürich", "\"quoted\"", "it's", "a: b", "#hash", "---", "- dash", "[bracket]", "{brace}",
        "50%", "@user", "&amp;", "<b>bold</b>", "C:\\path", "tab\there", "\u202eRTL-override", "emoji 😀", "ß", "Ω",
    ];

    // Surnames from syllables (8,000 of them): searches for a person match a realistic handful of items.
    private static readonly string[] Syllables = ["ka", "ri", "mo", "len", "sa", "vo", "ne", "tar", "bel", "ur", "zi", "dan", "po", "lu", "mer", "ha", "gro", "vik", "es", "ton"];

    public static string Surname(int n) =>
        char.ToUpperInvariant(Syllables[n % 20][0]) + Syllables[n % 20][1..] + Syllables[n / 20 % 20] + Syllables[n / 400 % 20];

    private static readonly string[] Topics = ["AI", "AI Hardware", "Climate", "Elections", "Энергетика", "Markets", "Space", "Health", "الاقتصاد", "Tech"];

    private static readonly string[] Providers = ["Interesting Engineering", "Metro", "Hindustan Times Tech", "Der Spiegel", "Новая газета", "Al Jazeera", "Le Monde"];

    public string Next(int index)
    {
        var yaml = new StringBuilder("---\n");
        var slug = $"{index:D7}-{_random.Next():x8}";
        Field(yaml, 0, "category", Pick(["news", "tech", "science", "opinion"]));
        Field(yaml, 0, "title", Surname(_random.Next(8000)) + " " + SingleLine(Sentence(4, 14)));
        Field(yaml, 0, "excerpt", _random.Next(4) == 0 ? $"<p>{Sentence(5, 20)}</p><script>alert('x')</script><a href=\"javascript:evil()\">x</a>" : Sentence(10, 40), multiline: true);
        yaml.Append("publishedDateTime: ").Append(Timestamp()).Append('\n');
        yaml.Append("originalUrl: \"https://news.example/").Append(slug).Append("\"\n");
        yaml.Append("webUrl: \"https://news.example/").Append(slug).Append("?ref=cms\"\n");
        yaml.Append("type: article\n");
        yaml.Append("quality: ").Append(_random.Next(0, 101)).Append('\n');
        yaml.Append("heat: ").Append(_random.Next(-1, 500)).Append('\n');
        yaml.Append("published: false\n\n");
        yaml.Append("provider:\n");
        Field(yaml, 1, "name", Pick(Providers));
        yaml.Append("  domain: provider").Append(_random.Next(50)).Append(".example\n\n");

        var topicCount = _random.Next(0, 4);
        if (topicCount == 0 && _random.Next(2) == 0)
        {
            yaml.Append("topics: []\n");
        }
        else if (topicCount > 0)
        {
            yaml.Append("topics:\n");
            foreach (var topic in Topics.OrderBy(_ => _random.Next()).Take(topicCount))
            {
                yaml.Append("  - ").Append(YamlText.Quote(topic)).Append('\n');
            }
        }
        yaml.Append("\nimages:\n  - url: \"https://img.example/").Append(slug).Append(".jpg\"\n    width: 1920\n    height: 1080\n    isCached: true\n\n");

        var related = _random.Next(0, 6);
        if (related > 0)
        {
            yaml.Append("related:\n");
            for (var r = 0; r < related; r++)
            {
                yaml.Append("  - title: ").Append(YamlText.Quote(SingleLine(Sentence(3, 10)))).Append('\n');
                Field(yaml, 2, "excerpt", Sentence(5, 25), multiline: true);
                yaml.Append("    publishedDateTime: ").Append(Timestamp()).Append('\n');
                var url = _random.Next(12) == 0 ? "javascript:alert(document.cookie)" : $"https://other{r}.example/{slug}";
                yaml.Append("    webUrl: ").Append(YamlText.Quote(url)).Append('\n');
                yaml.Append("    type: article\n");
                yaml.Append("    provider:\n      name: ").Append(YamlText.Quote(Pick(Providers))).Append("\n      domain: other").Append(r).Append(".example\n");
                yaml.Append("    quality: ").Append(_random.Next(0, 101)).Append('\n');
            }
            yaml.Append('\n');
        }
        if (_random.Next(3) == 0)
        {
            yaml.Append("locale: ").Append(Pick(["en-GB", "ru-RU", "ar", "he-IL", "ja-JP"])).Append('\n');
            yaml.Append("updatedDateTime: ").Append(Timestamp()).Append('\n');
            yaml.Append("tags: [").Append(YamlText.Quote(Pick(Words))).Append(", 42, true, null, 3.5]\n");
            yaml.Append("pipeline:\n  version: \"2.1\"\n  scores:\n    relevance: 0.87\n    duplicates: [1, 2, 3]\n  notes: |\n    first line --- not a marker\n    ---\n    \"quotes\" and 'apostrophes' # not a comment\n  empty:\n  flag: no\n");
        }
        var cipher = Convert.ToBase64String(RandomBytes(96 + _random.Next(64)));
        var iv = Convert.ToBase64String(RandomBytes(16));
        yaml.Append("secured: \"").Append(cipher).Append(';').Append(iv).Append("\"\n");
        yaml.Append("---\n");
        return yaml.ToString();
    }

    public static string FileName(int index, string content) =>
        $"{index:D3}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16]}.txt";

    // A string field in one of several YAML styles, so the reader meets them all. Only free-text
    // fields get a multi-line block: the parser refuses line breaks in single-line fields. The
    // style is drawn either way, so every later draw of a seed stays as it was.
    private void Field(StringBuilder yaml, int indent, string key, string value, bool multiline = false)
    {
        var pad = new string(' ', indent * 2);
        var style = _random.Next(5);
        if (style == 3 && multiline && !value.Contains('\t') && !value.StartsWith(' ') && !value.EndsWith(' ') && !value.Contains('\u202e'))
        {
            // Literal block: newlines kept, `---` lines are safely indented.
            yaml.Append(pad).Append(key).Append(": |-\n");
            foreach (var line in (value + "\n--- inside a block\nsecond line").Split('\n'))
            {
                yaml.Append(pad).Append("  ").Append(line).Append('\n');
            }
            return;
        }
        if (style == 4 && !value.Contains('\''))
        {
            yaml.Append(pad).Append(key).Append(": '").Append(value.Replace("'", "''")).Append("'\n");
            return;
        }
        yaml.Append(pad).Append(key).Append(": ").Append(YamlText.Quote(value)).Append('\n');
    }

    // Titles are single-line fields: the tab word becomes a space, without changing the draws.
    private static string SingleLine(string text) => text.Replace('\t', ' ');

    private string Sentence(int min, int max)
    {
        var count = _random.Next(min, max);
        return string.Join(' ', Enumerable.Range(0, count).Select(_ => Pick(Words)));
    }

    private string Timestamp() =>
        new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(_random.Next(0, 60 * 24 * 700)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private string Pick(string[] options) => options[_random.Next(options.Length)];

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
