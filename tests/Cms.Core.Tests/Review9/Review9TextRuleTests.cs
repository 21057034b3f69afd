using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Tests.Review9;

// REVIEW9 evidence: the last stop's text rules (the ZWJ base rule, ExcerptHtml.Text, UnicodeText.Clip)
// against what they claim.
public sealed class Review9TextRuleTests
{
    private static string Hex(string s) => string.Join(" ", s.EnumerateRunes().Select(r => r.Value.ToString("X4")));

    // RGI emoji ZWJ sequences of Emoji 15.1 (emoji-zwj-sequences.txt, "facing right"): the second
    // joiner follows a gender sign (U+2640/U+2642 + VS16), which JoinsFromBase does not list.
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

    // ExcerptHtml.Text claims "tags dropped (with the content of the ones the sanitizer drops with
    // theirs)"; HTML ignores the self-closing flag of a non-void element, so the sanitizer drops
    // what follows <script/> up to </script>, and Text shows it.
    [Theory]
    [InlineData("<script/>alert(1)</script> after")]
    [InlineData("<style/>body{display:none}</style> after")]
    [InlineData("<textarea/>hidden</textarea> after")]
    public void Excerpt_text_drops_what_the_sanitizer_drops_after_a_self_closed_script_style_or_textarea(string html)
    {
        Assert.Equal("after", ExcerptHtml.Sanitized(html).Trim());
        Assert.Equal("after", ExcerptHtml.Text(html));
    }

    // Clip cuts "never between the two halves of a surrogate pair" but may cut inside an emoji ZWJ
    // sequence, leaving a joiner before the "…" that the text rule (StripInvisible) would remove.
    [Fact]
    public void A_clipped_text_holds_no_invisible_character_the_text_rule_removes()
    {
        var clipped = UnicodeText.Clip("ab\U0001F468\u200D\U0001F469\u200D\U0001F467", 5);

        Assert.Equal(Hex(UnicodeText.StripInvisible(clipped)), Hex(clipped));
    }
}
