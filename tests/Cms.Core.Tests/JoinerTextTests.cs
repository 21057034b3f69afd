using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Tests;

// REVIEW6 #1: ZWNJ and ZWJ are spelling in Persian and the Indic scripts, ZWJ glues emoji ZWJ
// sequences and tag characters spell subdivision flags (UTS #51). One rule (UnicodeText) keeps them
// there, in titles, provider names, related titles, categories, topics and the published file, and
// treats them as invisible everywhere else.
public sealed class JoinerTextTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private ParsedItem Accept(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    private static string Hex(string s) => string.Join(" ", s.EnumerateRunes().Select(r => r.Value.ToString("X4")));

    public static TheoryData<string> TextThatNeedsItsJoiners => new()
    {
        "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", // Persian "mi-khaham": ZWNJ after the prefix mi
        "\u0646\u0627\u0645\u0647\u200C\u0647\u0627", // Persian "name-ha": ZWNJ before the plural
        "\u0915\u094D\u200D\u0937", // Devanagari half-form: ZWJ after a virama
        "Family \U0001F468\u200D\U0001F469\u200D\U0001F467 day", // one emoji ZWJ sequence
        "\U0001F469\U0001F3FD\u200D\U0001F4BB coder", // a skin tone modifier before the ZWJ
        "\U0001F3F3\uFE0F\u200D\U0001F308 parade", // VS16 before the ZWJ (rainbow flag)
        "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Scotland", // flag tag sequence
    };

    [Theory]
    [MemberData(nameof(TextThatNeedsItsJoiners))]
    public void A_title_keeps_the_joiners_its_script_or_emoji_needs_and_the_published_file_says_the_same(string title)
    {
        var item = Accept(ItemYaml.Valid().Set("title", title).Raw("provider", "\n  " + ItemYaml.Link("name", title))
            .Related(ItemYaml.Link("title", title) + "\n" + ItemYaml.Link("webUrl", "https://other.example/1")));

        Assert.True(title == item.Title, $"received [{Hex(title)}], stored and shown [{Hex(item.Title)}]");
        Assert.Equal(title, item.ProviderName);
        Assert.Equal(title, item.Related[0].Title);
        Assert.Equal(-1, UnicodeText.FindInvisibleOrBidi(title));
        var published = ItemExport.Apply(item.Document.Root,
            new ItemEdits(WorkflowState.Published, false, null, null, item.Topics, item.Related.Select(r => r.Identity).OfType<string>().ToHashSet()));
        Assert.Equal(title, ((SourceScalar)published["title"]!).Value);
        Assert.Equal(title, ((SourceScalar)((SourceMapping)published["provider"]!)["name"]!).Value);
    }

    [Theory]
    [InlineData("A\u200DI", "AI")] // Latin letters do not join
    [InlineData("A\u200CI", "AI")]
    [InlineData("\u0645\u06CC\u200D\u062E", "\u0645\u06CC\u062E")] // ZWJ between Arabic letters needs a virama
    [InlineData("\u200D\U0001F600 smile", "\U0001F600 smile")] // nothing to join before it
    [InlineData("\U0001F600\u200D smile", "\U0001F600 smile")] // an emoji, then no emoji after the ZWJ
    [InlineData("\U0001F600\u200Da", "\U0001F600a")]
    [InlineData("\U0001F600\u200D\u200D\U0001F600", "\U0001F600\U0001F600")] // two ZWJs in a row join nothing
    [InlineData("x\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "x")] // tags without the flag before them
    [InlineData("\U0001F3F4\U000E0041\U000E0042\U000E0043\U000E007F", "\U0001F3F4")] // capital tags spell no subdivision
    [InlineData("\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067", "\U0001F3F4")] // no CANCEL TAG at the end
    [InlineData("\U0001F3F4\U000E0069\U000E0067\U000E006E\U000E006F\U000E0072\U000E0065\U000E0070\U000E0072\U000E0065\U000E0076\U000E007F", "\U0001F3F4")] // hidden text, not a subdivision
    public void Joiners_and_tags_outside_those_sequences_are_still_stripped_from_a_title(string received, string shown)
    {
        Assert.Equal(Hex(shown), Hex(Accept(ItemYaml.Valid().Set("title", received)).Title));
        Assert.True(UnicodeText.FindInvisibleOrBidi(received) >= 0);
    }

    [Fact]
    public void A_persian_category_with_a_zwnj_is_accepted_as_the_same_text_is_as_a_topic()
    {
        const string name = "\u0646\u0627\u0645\u0647\u200C\u0647\u0627"; // "name-ha", letters

        Assert.True(TopicNames.TryClean(name, out _, out _));
        Assert.Equal(name, Accept(ItemYaml.Valid().Set("category", name)).Category);
    }

    [Fact]
    public void A_category_with_a_joiner_between_latin_letters_is_still_refused_naming_it()
    {
        var problem = Assert.Throws<FrontMatterException>(() => Accept(ItemYaml.Valid().Set("category", "Sp\u200Dort"))).Problem;

        Assert.Equal("category", problem.Field);
        Assert.Equal("contains the invisible or bidirectional character U+200D at character 3", problem.Reason);
    }

    [Fact]
    public void A_topic_may_be_an_emoji_zwj_sequence_but_not_one_with_hidden_tags()
    {
        Assert.True(TopicNames.TryClean("\U0001F468\u200D\U0001F469\u200D\U0001F467 families", out var clean, out _));
        Assert.Equal("\U0001F468\u200D\U0001F469\u200D\U0001F467 families", clean);
        Assert.False(TopicNames.TryClean("AI\U000E0041\U000E0049", out _, out var problem));
        Assert.Equal("contains the invisible or bidirectional character U+E0041 at character 3", problem);
    }

    // Every RGI emoji ZWJ sequence of Emoji 15.1, read from Unicode's own list (Data/, its source
    // named there) rather than from memory: the joiner rule once missed the ones that go on from a
    // gender sign ("woman walking facing right", REVIEW9 R9-2).
    public static IEnumerable<(string Sequence, string Name)> RgiZwjSequences() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "emoji-zwj-sequences-15.1.txt"))
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split(';', 2))
            .Select(f => (string.Concat(f[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(cp => char.ConvertFromUtf32(Convert.ToInt32(cp, 16)))), f[1].Trim()));

    [Fact]
    public void Every_rgi_emoji_zwj_sequence_of_emoji_15_1_is_kept_whole_in_a_title_and_accepted_as_a_topic()
    {
        var sequences = RgiZwjSequences().ToList();
        var broken = sequences
            .Where(s => ItemParser.ShownTitle("Marathon " + s.Sequence) != "Marathon " + s.Sequence || UnicodeText.NameProblem(UnicodeText.CleanName("Marathon " + s.Sequence)) is not null)
            .Select(s => $"{s.Name} [{Hex(s.Sequence)}]")
            .ToList();

        Assert.Equal(1468, sequences.Count);
        Assert.True(broken.Count == 0, $"{broken.Count} sequences broken: {string.Join("; ", broken.Take(20))}");
    }

    public static TheoryData<string> GenderedFacingRight => new()
    {
        "\U0001F6B6\u200D\u2640\uFE0F\u200D\u27A1\uFE0F", // woman walking facing right
        "\U0001F3C3\U0001F3FD\u200D\u2642\uFE0F\u200D\u27A1\uFE0F", // man running facing right, medium skin tone
        "\U0001F9CE\u200D\u2640\uFE0F\u200D\u27A1\uFE0F", // woman kneeling facing right
    };

    [Theory]
    [MemberData(nameof(GenderedFacingRight))]
    public void A_title_keeps_both_joiners_of_a_gendered_facing_right_emoji(string emoji)
    {
        var title = "Marathon " + emoji;

        Assert.Equal(Hex(title), Hex(ItemParser.ShownTitle(title)));
    }

    [Theory]
    [MemberData(nameof(GenderedFacingRight))]
    public void A_topic_named_with_a_gendered_facing_right_emoji_is_not_refused(string emoji)
    {
        Assert.Null(UnicodeText.NameProblem(UnicodeText.CleanName("Marathon " + emoji)));
    }
}
