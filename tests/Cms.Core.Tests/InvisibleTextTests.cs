using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Tests;

// REVIEW5 #8: Unicode's whole Default_Ignorable_Code_Point set (and the blank look-alikes) is one
// rule: stripped from shown text, refused where text joins a managed list, and a title that
// shows nothing is refused with file, line, field and reason.
public sealed class InvisibleTextTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private ReadProblem Refuse(ItemYaml yaml) =>
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", yaml.ToBytes())).Problem;

    private ParsedItem Accept(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    [Theory]
    [InlineData(0x00AD)] // SOFT HYPHEN
    [InlineData(0x034F)] // COMBINING GRAPHEME JOINER
    [InlineData(0x115F)] // HANGUL CHOSEONG FILLER
    [InlineData(0x1160)] // HANGUL JUNGSEONG FILLER
    [InlineData(0x3164)] // HANGUL FILLER
    [InlineData(0xFFA0)] // HALFWIDTH HANGUL FILLER
    [InlineData(0x17B4)] // KHMER VOWEL INHERENT AQ
    [InlineData(0x180B)] // MONGOLIAN FREE VARIATION SELECTOR ONE
    [InlineData(0x180E)] // MONGOLIAN VOWEL SEPARATOR
    [InlineData(0x2061)] // FUNCTION APPLICATION
    [InlineData(0x2064)] // INVISIBLE PLUS
    [InlineData(0x206A)] // INHIBIT SYMMETRIC SWAPPING
    [InlineData(0xFE00)] // VARIATION SELECTOR-1
    [InlineData(0xFFF0)] // unassigned, default ignorable
    [InlineData(0x1BCA0)] // SHORTHAND FORMAT LETTER OVERLAP
    [InlineData(0x1D173)] // MUSICAL SYMBOL BEGIN BEAM
    [InlineData(0xE0001)] // LANGUAGE TAG
    [InlineData(0xE0100)] // VARIATION SELECTOR-17
    [InlineData(0xE0FFF)] // end of the ignorable block
    public void Default_ignorable_code_points_are_invisible_and_stripped(int value)
    {
        var c = char.ConvertFromUtf32(value);

        Assert.True(UnicodeText.IsInvisibleOrBidi(new Rune(value)));
        Assert.Equal(1, UnicodeText.FindInvisibleOrBidi("a" + c + "b"));
        Assert.Equal("ab", UnicodeText.StripInvisible("a" + c + "b"));
    }

    [Theory]
    [InlineData("\u2764\uFE0F")] // an emoji keeps its presentation selector
    [InlineData("Stra\u00DFe")]
    [InlineData("\u2800 Braille")]
    [InlineData("\u0645\u0631\u062D\u0628\u0627")]
    public void Text_with_something_visible_shows_something(string text)
    {
        Assert.True(UnicodeText.ShowsSomething(text));
        Assert.Equal(-1, UnicodeText.FindInvisibleOrBidi(text.Replace("\u00AD", "")));
    }

    [Theory]
    [InlineData("\u3164")] // HANGUL FILLER: stripped, leaving nothing
    [InlineData("\u2800\u2800")] // BRAILLE PATTERN BLANK: kept, but drawn blank
    [InlineData("\uFE0F")] // a variation selector alone
    [InlineData("\u2800\u3164\u00A0\uFE0E")]
    public void A_title_that_shows_nothing_is_refused_naming_the_field_and_line(string title)
    {
        var yaml = ItemYaml.Valid().Set("title", title);

        var problem = Refuse(yaml);

        Assert.Equal("title", problem.Field);
        Assert.Equal(yaml.LineOf("title"), problem.Line);
        Assert.Contains(problem.Reason, new[] { "must not be empty", "shows no visible character (only blank or invisible ones)" });
    }

    [Fact]
    public void A_title_of_braille_blanks_is_refused_as_showing_nothing()
    {
        Assert.Equal("shows no visible character (only blank or invisible ones)", Refuse(ItemYaml.Valid().Set("title", "\u2800\u2800")).Reason);
    }

    [Theory]
    [InlineData("related[2].title")]
    [InlineData("provider.name")]
    [InlineData("related[2].provider.name")]
    public void A_related_title_or_provider_name_that_draws_as_blanks_is_refused_naming_its_field(string field)
    {
        var problem = Refuse(ItemFields.With(field, "\u2800\u3164\uFE0F"));

        Assert.Equal(field, problem.Field);
        Assert.Equal("shows no visible character (only blank or invisible ones)", problem.Reason);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("domain")]
    public void An_invisible_character_inside_a_provider_is_stripped_and_the_published_file_says_what_was_shown(string key)
    {
        var yaml = ItemYaml.Valid().Raw("provider", "\n  " + ItemYaml.Link(key, "Acme\u2064Corp"))
            .Related(ItemYaml.Link("webUrl", "https://other.example/1") + "\n" + ItemYaml.Provider(key, "Acme\u2064Corp"));

        var item = Accept(yaml);

        Assert.Equal("AcmeCorp", key == "name" ? item.ProviderName : item.ProviderDomain);
        Assert.Equal("AcmeCorp", key == "name" ? item.Related[0].ProviderName : item.Related[0].ProviderDomain);
        var published = ItemExport.Apply(item.Document.Root,
            new ItemEdits(WorkflowState.Published, false, null, null, item.Topics, item.Related.Select(r => r.Identity).OfType<string>().ToHashSet()));
        var link = (SourceMapping)((SourceSequence)published["related"]!).Items.Single();
        foreach (var provider in new[] { published["provider"], link["provider"] })
        {
            Assert.Equal("AcmeCorp", ((SourceScalar)((SourceMapping)provider!)[key]!).Value);
        }
    }

    [Fact]
    public void A_topic_with_a_hangul_filler_is_refused_naming_it()
    {
        Assert.False(TopicNames.TryClean("AI\u3164", out _, out var problem));
        Assert.Equal("contains the invisible or bidirectional character U+3164 at character 3", problem);
    }

    // REVIEW6 #2: an excerpt (and a related link's) loses its bidi controls and zero-width
    // characters by the rule titles follow, keeps a Persian ZWNJ, and the published file writes it
    // as the CMS showed it; text without any is left exactly as it came.
    [Fact]
    public void Bidi_and_zero_width_characters_are_stripped_from_excerpts_and_the_published_file_says_what_was_shown()
    {
        const string persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
        var yaml = ItemYaml.Valid().Set("excerpt", "<p>Refund: \u202E001$ only\u202C today,\nno\u200Bfee " + persian + "</p>")
            .Related(ItemYaml.Link("webUrl", "https://other.example/1") + "\n" + ItemYaml.Link("excerpt", "Related \u2066evil\u2069 " + persian));

        var item = Accept(yaml);

        Assert.Equal("<p>Refund: 001$ only today,\nnofee " + persian + "</p>", item.Excerpt);
        Assert.Equal("Related evil " + persian, item.Related[0].Excerpt);
        var published = ItemExport.Apply(item.Document.Root,
            new ItemEdits(WorkflowState.Published, false, null, null, item.Topics, item.Related.Select(r => r.Identity).OfType<string>().ToHashSet()));
        Assert.Equal(item.Excerpt, ((SourceScalar)published["excerpt"]!).Value);
        var link = (SourceMapping)((SourceSequence)published["related"]!).Items.Single();
        Assert.Equal(item.Related[0].Excerpt, ((SourceScalar)link["excerpt"]!).Value);
        var plain = Accept(ItemYaml.Valid().Raw("excerpt", " plain text " + persian));
        Assert.Same(plain.Document.Root["excerpt"], ItemExport.Apply(plain.Document.Root,
            new ItemEdits(WorkflowState.Published, false, null, null, [], new HashSet<string>()))["excerpt"]);
    }
}
