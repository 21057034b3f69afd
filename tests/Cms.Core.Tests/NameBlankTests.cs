using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Tests;

// REVIEW7 #5, #11: names others pick from a list (topics, categories, saved views) are cleaned by
// one rule (UnicodeText.CleanName): NFC, every run of white space one U+0020, trimmed; characters
// drawn as a blank that are not white space are refused.
public sealed class NameBlankTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private ParsedItem Accept(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    [Theory]
    [InlineData("Broken  links")] // HTML collapses the two spaces
    [InlineData("Broken\u00A0links")] // NO-BREAK SPACE
    [InlineData("Broken\u3000links")] // IDEOGRAPHIC SPACE
    [InlineData("Broken\u2009links")] // THIN SPACE
    [InlineData("Broken \u2002\u205Flinks ")]
    public void A_name_whose_blanks_differ_is_the_same_name(string name)
    {
        Assert.True(TopicNames.TryClean(name, out var clean, out var problem), problem);
        Assert.Equal("Broken links", clean);
        Assert.Equal(TopicNames.Normalize("Broken links"), TopicNames.Normalize(name));
        Assert.Equal("Broken links", Accept(ItemYaml.Valid().Set("category", name)).Category);
    }

    [Theory]
    [InlineData("Broken\u2800links", "U+2800")] // BRAILLE PATTERN BLANK, drawn as a blank
    [InlineData("Broken\u3164links", "U+3164")] // HANGUL FILLER
    public void A_name_with_a_character_drawn_as_a_blank_is_refused(string name, string named)
    {
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Contains(named, problem);
        var refused = Assert.Throws<FrontMatterException>(() => Accept(ItemYaml.Valid().Set("category", name))).Problem;
        Assert.Contains(named, refused.Reason);
    }

    [Theory]
    [InlineData("Cafe\u0301")] // NFD of "Café"
    [InlineData("Café ")] // trailing blank in a quoted scalar
    [InlineData(" Café")]
    [InlineData("Café\u00A0")]
    public void A_category_is_stored_in_the_form_topics_use(string category)
    {
        Assert.Equal("Café", Accept(ItemYaml.Valid().Set("category", category)).Category);
    }

    // REVIEW8 #9: as the edit form, SaveItemEdits and the fold migration read it (a feed writing
    // `category: ""` for unfiled items keeps importing them).
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\u00A0")]
    [InlineData("\u00A0\u3000")]
    public void A_category_of_blanks_only_is_no_category(string category)
    {
        Assert.Null(Accept(ItemYaml.Valid().Set("category", category)).Category);
    }

    // REVIEW8 #2: a noncharacter draws as nothing (or a box) and made the whole name skip NFC, so
    // "Cafe\u0301\uFFFE" and "Café\uFFFE" were two look-alike names: names refuse it with the
    // reason, titles drop it and are normalized, and nothing throws.
    [Theory]
    [InlineData("Cafe\u0301\uFFFE", "U+FFFE")]
    [InlineData("Caf\u00E9\uFFFE", "U+FFFE")]
    [InlineData("Sport\uFFFF", "U+FFFF")]
    [InlineData("\uFDD0News", "U+FDD0")]
    [InlineData("News \U0001FFFE", "U+1FFFE")]
    public void A_name_holding_a_noncharacter_is_refused_with_the_reason(string name, string named)
    {
        Assert.Equal("Caf\u00E9\uFFFE", UnicodeText.CleanName("Cafe\u0301\uFFFE"));
        Assert.Equal($"contains the noncharacter {named} at character {UnicodeText.CleanName(name).IndexOf(char.ConvertFromUtf32(Convert.ToInt32(named[2..], 16)), StringComparison.Ordinal) + 1}",
            UnicodeText.NameProblem(UnicodeText.CleanName(name)));
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Contains(named, problem);
        var refused = Assert.Throws<FrontMatterException>(() => Accept(ItemYaml.Valid().Set("category", name))).Problem;
        Assert.Equal("category", refused.Field);
        Assert.Contains("noncharacter " + named, refused.Reason);
    }

    [Theory]
    [InlineData("Cafe\u0301\uFFFE news")]
    [InlineData("Caf\u00E9 news\uFFFF")]
    [InlineData("Caf\uFDD0\u00E9 news")]
    public void A_title_drops_its_noncharacters_and_is_normalized(string title)
    {
        Assert.Equal("Caf\u00E9 news", ItemParser.ShownTitle(title));
        Assert.Equal("Caf\u00E9 news", Accept(ItemYaml.Valid().Set("title", title)).Title);
    }

    // A stored name taken to what the name rule keeps (reread-text's rename, REVIEW9 R9-3a): the
    // rule has nothing left to refuse but an empty name, and a second pass changes nothing.
    [Theory]
    [InlineData("Desk \uFFFE 1", "Desk 1")]
    [InlineData("Cafe\u0301\uFDD0 news", "Caf\u00E9 news")]
    [InlineData("Broken\u2800links\u200B", "Broken links")]
    [InlineData("Tab\there\u202E", "Tab here")]
    [InlineData("\U0001F468\u200D\U0001F469 \U0001FFFE families", "\U0001F468\u200D\U0001F469 families")]
    public void A_name_kept_by_the_rule_is_one_the_rule_accepts_and_keeping_it_again_changes_nothing(string stored, string kept)
    {
        Assert.Equal(kept, UnicodeText.KeptName(stored));
        Assert.Null(UnicodeText.NameProblem(UnicodeText.KeptName(stored)));
        Assert.Equal(kept, UnicodeText.KeptName(kept));
    }
}
