using System.Text;
using Cms.Core.Text;

namespace Cms.Core.Tests;

public sealed class UnicodeTextTests
{
    [Theory]
    [InlineData('\u202A')]
    [InlineData('\u202B')]
    [InlineData('\u202C')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2067')]
    [InlineData('\u2068')]
    [InlineData('\u2069')]
    [InlineData('\u200E')]
    [InlineData('\u200F')]
    [InlineData('\u061C')]
    [InlineData('\u200B')]
    [InlineData('\u200C')]
    [InlineData('\u200D')]
    [InlineData('\u2060')]
    [InlineData('\uFEFF')]
    public void Bidi_controls_and_zero_width_characters_are_invisible(char c)
    {
        Assert.True(UnicodeText.IsInvisibleOrBidi(c));
        Assert.Equal(1, UnicodeText.FindInvisibleOrBidi("a" + c + "b"));
    }

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("العربية")]
    [InlineData("עברית")]
    [InlineData("東京 🚀 naïve")]
    [InlineData("non\u00A0breaking")]
    public void Ordinary_text_of_any_script_has_nothing_invisible(string text)
    {
        Assert.Equal(-1, UnicodeText.FindInvisibleOrBidi(text));
        Assert.Same(text, UnicodeText.StripInvisible(text));
    }

    [Fact]
    public void Tag_characters_beyond_the_bmp_are_invisible_and_stripped()
    {
        var hidden = char.ConvertFromUtf32(0xE0041);

        Assert.True(UnicodeText.IsInvisibleOrBidi(new Rune(0xE0041)));
        Assert.False(UnicodeText.IsInvisibleOrBidi(new Rune(0x1F680)));
        Assert.Equal("ab", UnicodeText.StripInvisible("a" + hidden + "b"));
    }

    [Fact]
    public void Stripping_removes_every_invisible_character_and_keeps_emoji_pairs()
    {
        Assert.Equal("Pay 🚀 now", UnicodeText.StripInvisible("\u202EPay\u200B 🚀 \uFEFFnow\u2069"));
    }

    [Theory]
    [InlineData("a\0b", false, 1)]
    [InlineData("a\u0001b", true, 1)]
    [InlineData("ab\u001F", true, 2)]
    [InlineData("a\u007Fb", true, 1)]
    [InlineData("a\tb", false, 1)]
    [InlineData("a\nb", false, 1)]
    [InlineData("a\rb", false, 1)]
    [InlineData("a\u2028b", false, 1)]
    [InlineData("a\u0085b", false, 1)]
    [InlineData("a\tb\r\nc\u2029", true, -1)]
    [InlineData("plain text", false, -1)]
    public void Control_characters_are_found_and_line_breaks_only_where_they_are_not_allowed(string text, bool allowNewlines, int index)
    {
        Assert.Equal(index, UnicodeText.FindControlCharacter(text, allowNewlines));
    }

    // The search is vectorized (issue 23 Build 6, seventh pass): every UTF-16 code unit, alone and
    // after 40 letters (past a vector's width), is found exactly when IsControl says so.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_control_search_finds_exactly_the_characters_the_rule_names(bool allowNewlines)
    {
        var prefix = new string('a', 40);
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var expected = UnicodeText.IsControl((char)c, allowNewlines);
            Assert.True((UnicodeText.FindControlCharacter(((char)c).ToString(), allowNewlines) == 0) == expected, $"U+{c:X4}");
            Assert.True((UnicodeText.FindControlCharacter(prefix + (char)c + "b", allowNewlines) == 40) == expected, $"U+{c:X4} after 40 letters");
        }
    }

    [Fact]
    public void Nfc_composes_and_leaves_text_with_an_unpaired_surrogate_unchanged()
    {
        Assert.Equal("\u00E9", UnicodeText.Nfc("e\u0301"));
        Assert.Equal("a\uD800e\u0301", UnicodeText.Nfc("a\uD800e\u0301"));
        // A noncharacter (YAML's escapes reach it) is kept rather than making Normalize throw, and
        // the text around it is still normalized (REVIEW8 #2), as PostgreSQL's normalize() does.
        Assert.Equal("News \uFFFE", UnicodeText.Nfc("News \uFFFE"));
        Assert.Equal("Caf\u00E9\uFFFE \u00E9\U0010FFFF\u00E9", UnicodeText.Nfc("Cafe\u0301\uFFFE e\u0301\U0010FFFFe\u0301"));
        Assert.Equal(1, UnicodeText.FindUnpairedSurrogate("a\uD800"));
        Assert.Equal(-1, UnicodeText.FindUnpairedSurrogate("🚀"));
    }

    [Fact]
    public void Describe_names_the_code_point_including_beyond_the_bmp()
    {
        Assert.Equal("U+202E", UnicodeText.Describe("a\u202E", 1));
        Assert.Equal("U+0000", UnicodeText.Describe("\0", 0));
        Assert.Equal("U+E0041", UnicodeText.Describe(char.ConvertFromUtf32(0xE0041), 0));
    }
}
