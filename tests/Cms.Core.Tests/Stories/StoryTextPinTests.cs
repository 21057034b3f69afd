using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Stories;
using Cms.Testing;

namespace Cms.Core.Tests.Stories;

// StoryText.Analyze's output pinned as the code of main 7d5b943 computed it: stored items keep
// their terms (items.story_term_ids, story_term_counts, story_window_keys), so a faster analysis
// must give exactly the same term ids, names, numbers and SimHash, whatever text it is fed.
public sealed class StoryTextPinTests
{
    private static string Describe(StoryTerms t) =>
        $"title {string.Join(',', t.Title)}; all {string.Join(',', t.All)}; names {string.Join(',', t.Names)}; numbers {string.Join(',', t.Numbers)}; sim {t.SimHash:x16}";

    public static TheoryData<string, string?, string> Texts => new()
    {
        { "Turkey raises rate to 45%", "Shares of Nvidia rose 16% in Frankfurt. Analysts said the Central Bank of Turkey acted.",
            "title -1931244190,-1532764076,-1521174228,1090457144; all -1931244190,-1828396034,-1532764076,-1521174228,-1319112207,-1100311155,-585501350,434841374,759842187,999632535,1090457144,1208886215,2021767934; names -1931244190,-1828396034,-1521174228,-585501350,434841374,999632535,2021767934; numbers -1931244190,434841374; sim d059c9371a23d5a4" },
        { "Central Bank Raises Key Interest Rate Again", "<p>The <b>café</b> &amp; the election: Nvidia's $35bn deal.</p> Nvidia shares rose; Nvidia said so.",
            "title -1532764076,-585501350,999632535,1090457144,1183077557,1746258028; all -1930405547,-1532764076,-1377886577,-1100311155,-585501350,-291997232,-126597635,999632535,1090457144,1126937041,1183077557,1208886215,1746258028,2021767934; names -1930405547,2021767934; numbers -1930405547; sim 7221da09256e6124" },
        { "Путин провёл переговоры с Эрдоганом", "Президент России Владимир Путин и президент Турции Реджеп Эрдоган обсудили поставки газа. Ёлка, йод и\u0306од, ПУТИН.",
            "title -2143686927,-1497528275,-310590621,1743025267; all -2143686927,-1497528275,-887317395,-745470267,-310590621,-6862820,574764124,1102625023,1265402932,1377251725,1513689471,1703435677,1743025267,1886778067; names -2143686927,-887317395,574764124,1513689471,1743025267,1886778067; numbers ; sim 4d159291b6dfa400" },
        { "ЦБ повысил ключевую ставку до 16%", "Банк России повысил ставку на 200 базисных пунктов. «Решение принято», — заявила Эльвира Набиуллина.",
            "title -2110406686,-1984836906,-1323702698,-1073999170,434841374; all -2110406686,-1984836906,-1323702698,-1212053544,-1073999170,-1008248995,-355055430,434841374,574764124,740654848,792764557,853149332,999632535,2027083999; names -1008248995,434841374,574764124,740654848,792764557; numbers -1008248995,434841374; sim f5986632d471e302" },
        { "Ｆｕｌｌｗｉｄｔｈ １２ and CAFÉ — naïve coöperation", "Emoji 🎉 split words 🎉 apart, Ωmega and Straße, 3.5bn, x1y2z3, ﬁnance, İstanbul.",
            "title -1406181033,-532513873,-126597635,501951850,526755684; all -2017972765,-1777827340,-1406181033,-532513873,-425375206,-126597635,501951850,526755684,806133968,873244444,906799682,923577301,1126937041,1251012413,1425915266,1611775145,1745275441,1788406269; names -1777827340,-126597635,501951850,806133968,873244444,906799682,923577301,1425915266,1745275441; numbers 501951850,806133968,873244444,906799682,923577301; sim 440c49ab50c0cb72" },
        { "", null, 
            "title ; all ; names ; numbers ; sim 0000000000000000" },
        { "!!! ---", "<br/>",
            "title ; all ; names ; numbers ; sim 0000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Analyze_gives_the_pinned_terms(string title, string? excerpt, string expected)
    {
        Assert.Equal(expected, Describe(StoryText.Analyze(title, excerpt)));
    }

    // The whole labelled set (2,000+ items, English and Russian, reworded and translated): one digest.
    [Fact]
    public void The_labelled_set_analyses_to_the_pinned_digest()
    {
        var parser = new ItemParser(new YamlFrontMatterReader());
        var corpus = new StoryCorpusGenerator(22).Generate(700, DateTimeOffset.Parse("2024-01-01T00:00:00Z", CultureInfo.InvariantCulture), TimeSpan.FromDays(30));
        var all = new StringBuilder();
        foreach (var item in corpus)
        {
            var parsed = parser.ParseText(item.FileName, item.Text);
            all.Append(Describe(StoryText.Analyze(parsed.Title, parsed.Excerpt))).Append('\n');
        }
        Assert.Equal("A596BAF3D8B7C2FC60AA9A95755E694B6D05C6A98BC02001256315BD4B289E03 2113", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString()))) + $" {corpus.Count}");
    }

    // Texts no corpus holds: random words of Latin, Cyrillic (ё, й, hard and soft signs), accented,
    // Greek, full-width and other digits, capitals anywhere, HTML, entities and sentence marks.
    [Fact]
    public void Random_texts_analyse_as_the_string_per_word_analysis_did()
    {
        var random = new Random(22);
        string[] pieces =
        [
            "a", "e", "s", "ing", "ation", "ies", "Th", "NV", "x", "Z", "а", "я", "ё", "Ё", "й", "и\u0306", "ъ", "ь", "ий", "ами", "ого", "ться", "ия",
            "П", "Ш", "щ", "ж", "é", "É", "ï", "ß", "ﬁ", "İ", "Ω", "ω", "1", "42", "１２", "٣", "½", "²", " ", " ", " ", " ", ". ", "! ", ": ", "\n", "«", "\"",
            "“", ", ", "-", "$", "%", "<b>", "</p>", "&amp;", "&lt;", "&#1046;", "🎉", "the ", "и ", "said ", "заявил ",
        ];
        for (var n = 0; n < 1_000; n++)
        {
            string Text(int parts) => string.Concat(Enumerable.Range(0, parts).Select(_ => pieces[random.Next(pieces.Length)]));
            var (title, excerpt) = (Text(random.Next(0, 30)), random.Next(5) == 0 ? null : Text(random.Next(20) == 0 ? 2_000 : random.Next(0, 400)));
            Assert.Equal(Describe(StoryTextBefore.Analyze(title, excerpt)), Describe(StoryText.Analyze(title, excerpt)));
            Assert.Equal(StoryTextBefore.Words(excerpt).Select(w => (w.Term, w.Name)), StoryText.Words(excerpt).Select(w => (w.Term, w.Name)));
        }
        // Words longer than any buffer kept, plain and not.
        foreach (var word in new[] { new string('Ж', 10_000), new string('b', 5_000) + "ings", "É" + new string('é', 9_000), new string('7', 6_000) })
        {
            Assert.Equal(Describe(StoryTextBefore.Analyze(word, "Banks " + word + " said. " + word)), Describe(StoryText.Analyze(word, "Banks " + word + " said. " + word)));
        }
    }

    // A word of hard and soft signs transliterates to nothing: it used to make Analyze throw
    // (an empty term's first character), failing the import of the item's batch.
    [Fact]
    public void A_word_of_hard_and_soft_signs_is_no_term_and_never_throws()
    {
        var terms = StoryText.Analyze("ьь", "Банк ъъ объявил ьъ Ь");
        Assert.Empty(terms.Title);
        Assert.Equal(StoryText.Analyze("", "Банк объявил").All, terms.All);
    }
}
