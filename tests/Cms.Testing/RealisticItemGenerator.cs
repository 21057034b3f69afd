using System.Globalization;
using System.Text;

namespace Cms.Testing;

// Items the size and shape of the real sample (shared/samples): about 5 KiB, 2-3 related links each
// with its own image and AMP URLs, one or two images, a `secured` payload, long URLs. This is what
// the benchmarks generate; ItemFileGenerator is the hostile, varied one for round-trip tests.
// Deterministic for a given seed. Titles start with one of 8,000 surnames (a rare search term) and
// about four in five excerpts mention "market" (a common one).
public sealed class RealisticItemGenerator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] English =
    [
        "government", "minister", "said", "on", "the", "new", "plan", "for", "energy", "prices", "after", "talks", "with", "industry",
        "leaders", "in", "week", "that", "could", "change", "how", "companies", "report", "their", "emissions", "while", "critics",
        "warned", "of", "higher", "costs", "households", "analysts", "expect", "growth", "to", "slow", "this", "year", "as", "central",
        "bank", "keeps", "rates", "steady", "artificial", "intelligence", "chips", "supply", "chain", "election", "campaign", "voters",
        "court", "ruling", "climate", "summit", "agreement", "technology", "startup", "funding", "round", "investors", "shares", "rose",
    ];

    private static readonly string[] Russian = ["правительство", "заявил", "рынок", "энергетика", "выборы", "ставку", "Германия", "экономика", "компании", "рост"];

    private static readonly (string Name, string Domain)[] Providers =
    [
        ("Interesting Engineering", "interestingengineering.com"), ("Hindustan Times Tech", "hindustantimes.com"), ("Metro", "metro.co.uk"),
        ("The Guardian", "theguardian.com"), ("BBC News", "bbc.co.uk"), ("Der Spiegel", "spiegel.de"), ("Новая газета", "novayagazeta.ru"),
        ("Al Jazeera", "aljazeera.com"), ("Le Monde", "lemonde.fr"), ("Reuters", "reuters.com"), ("TechCrunch", "techcrunch.com"),
    ];

    private static readonly string[] Topics = ["AI", "AI Hardware", "Climate", "Elections", "Energy", "Markets", "Space", "Health", "Tech", "Politics", "Economy", "Science"];

    public static string Surname(int n) => ItemFileGenerator.Surname(n);

    public string Next(int index)
    {
        var (name, domain) = Pick(Providers);
        var slug = Slug(index);
        var url = $"https://{domain}/{Pick(["culture", "tech", "world", "business", "science"])}/{slug}";
        var yaml = new StringBuilder(5600);
        yaml.Append("---\ncategory: ").Append(Pick(["news", "tech", "science", "business"])).Append('\n');
        yaml.Append("title: ").Append(YamlText.Quote(Surname(_random.Next(8000)) + " " + Sentence(7, 14))).Append('\n');
        yaml.Append("excerpt: ").Append(YamlText.Quote(Sentence(35, 60, market: _random.Next(5) != 0))).Append('\n');
        yaml.Append("publishedDateTime: ").Append(Timestamp()).Append('\n');
        yaml.Append("originalUrl: ").Append(YamlText.Quote(url)).Append('\n');
        yaml.Append("webUrl: ").Append(YamlText.Quote(url)).Append('\n');
        AppendRest(yaml, name, domain);
        return yaml.ToString();
    }

    // Everything after the item's own text, dates and URLs: scores, provider, topics, images, 2-3
    // related links and the `secured` payload, as the real sample has them. The story corpus
    // (StoryCorpusGenerator) writes its own titles and excerpts and takes the rest from here.
    public void AppendRest(StringBuilder yaml, string name, string domain)
    {
        yaml.Append("type: article\nquality: ").Append(_random.Next(0, 101)).Append("\nheat: ").Append(_random.Next(4) == 0 ? -1 : _random.Next(0, 500)).Append('\n');
        yaml.Append("published: false\n\nprovider:\n  name: ").Append(YamlText.Quote(name)).Append("\n  domain: ").Append(domain).Append("\n\ntopics:\n");
        foreach (var topic in Topics.OrderBy(_ => _random.Next()).Take(_random.Next(1, 4)))
        {
            yaml.Append("  - ").Append(topic).Append('\n');
        }
        yaml.Append("\nimages:\n");
        for (var i = _random.Next(1, 3); i > 0; i--)
        {
            Image(yaml, "  ", $"https://dnd2oi6izkvoi.cloudfront.net/2023/11/27/image/jpeg/{Token(40)}.jpg");
        }
        yaml.Append("\nrelated:\n");
        for (var r = _random.Next(2, 4); r > 0; r--)
        {
            var (otherName, otherDomain) = Pick(Providers);
            var path = $"{Pick(["tech/news", "news/world", "2023/11/27"])}/{Slug(_random.Next())}-{_random.NextInt64(10_000_000_000, 99_999_999_999)}.html";
            yaml.Append("  - title: ").Append(YamlText.Quote(Sentence(9, 16))).Append('\n');
            yaml.Append("    excerpt: ").Append(YamlText.Quote(Sentence(40, 60))).Append('\n');
            yaml.Append("    publishedDateTime: ").Append(Timestamp()).Append('\n');
            yaml.Append("    webUrl: ").Append(YamlText.Quote($"https://{otherDomain}/{path}")).Append('\n');
            yaml.Append("    ampWebUrl: ").Append(YamlText.Quote($"https://{otherDomain}/amp/{path}")).Append('\n');
            yaml.Append("    cdnAmpWebUrl: ").Append(YamlText.Quote($"https://{otherDomain.Replace('.', '-')}.cdn.ampproject.org/c/s/{otherDomain}/amp/{path}")).Append('\n');
            yaml.Append("    type: article\n    provider:\n      name: ").Append(YamlText.Quote(otherName)).Append("\n      domain: ").Append(otherDomain).Append('\n');
            yaml.Append("    quality: ").Append(_random.Next(0, 101)).Append("\n    images:\n");
            Image(yaml, "      ", $"https://images.{otherDomain}/img/2023/11/26/1600x900/{Token(24)}_{_random.NextInt64(1_000_000_000_000, 9_999_999_999_999)}.jpg");
        }
        var cipher = new byte[250 + _random.Next(60)];
        _random.NextBytes(cipher);
        var iv = new byte[16];
        _random.NextBytes(iv);
        yaml.Append("\nsecured: \"").Append(Convert.ToBase64String(cipher)).Append(';').Append(Convert.ToBase64String(iv)).Append("\"\n---\n");
    }

    private void Image(StringBuilder yaml, string pad, string url)
    {
        var (width, height) = Pick([(1920, 1080), (1600, 900), (594, 395), (1200, 630)]);
        yaml.Append(pad).Append("- url: ").Append(YamlText.Quote(url)).Append('\n');
        yaml.Append(pad).Append("  width: ").Append(width).Append('\n');
        yaml.Append(pad).Append("  height: ").Append(height).Append('\n');
        yaml.Append(pad).Append("  isCached: true\n");
    }

    private string Sentence(int min, int max, bool market = false)
    {
        var words = Enumerable.Range(0, _random.Next(min, max)).Select(_ => _random.Next(12) == 0 ? Pick(Russian) : Pick(English)).ToList();
        if (market)
        {
            words.Insert(_random.Next(words.Count), "market");
        }
        var text = string.Join(' ', words);
        return char.ToUpperInvariant(text[0]) + text[1..] + ".";
    }

    private string Slug(int n) => string.Join('-', Enumerable.Range(0, _random.Next(5, 10)).Select(_ => Pick(English))) + "-" + n.ToString(CultureInfo.InvariantCulture);

    private string Token(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, _random, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[random.Next(alphabet.Length)];
            }
        });
    }

    private string Timestamp() =>
        new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(_random.Next(0, 60 * 24 * 700)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private T Pick<T>(T[] options) => options[_random.Next(options.Length)];

}
