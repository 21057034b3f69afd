using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class TopicNameTests
{
    [Fact]
    public void A_precomposed_and_a_decomposed_spelling_normalize_to_one_key()
    {
        Assert.Equal(TopicNames.Normalize("Caf\u00E9"), TopicNames.Normalize(" cafe\u0301 "));
        Assert.Equal("caf\u00E9", TopicNames.Normalize("CAFE\u0301"));
    }

    [Fact]
    public void A_clean_name_is_trimmed_and_composed_but_keeps_its_case()
    {
        Assert.True(TopicNames.TryClean("  Cafe\u0301 Culture ", out var clean, out _));

        Assert.Equal("Caf\u00E9 Culture", clean);
    }

    [Fact]
    public void A_name_of_exactly_the_maximum_length_is_accepted_and_one_more_is_refused()
    {
        Assert.True(TopicNames.TryClean(new string('a', TopicNames.MaxLength), out _, out _));

        Assert.False(TopicNames.TryClean(new string('a', TopicNames.MaxLength + 1), out _, out var problem));
        Assert.Equal("is 101 characters, over the limit of 100", problem);
    }

    [Fact]
    public void The_length_is_that_of_the_composed_name_which_is_what_is_stored()
    {
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", TopicNames.MaxLength));

        Assert.True(TopicNames.TryClean(decomposed, out var clean, out _));
        Assert.Equal(TopicNames.MaxLength, clean.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_name_is_refused(string name)
    {
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Equal("must not be empty", problem);
    }

    // RFC 5892 A.1/A.2: the joiners Persian, Urdu and the Indic scripts need inside words.
    [Theory]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")]   // Persian "mi-khaham": ZWNJ between YEH (dual) and KHAH (dual)
    [InlineData("\u0646\u0627\u0645\u0647\u200C\u0647\u0627")]          // Persian "name-ha": after HEH (dual), before HEH
    [InlineData("\u0628\u064E\u200C\u0627")]                              // a transparent fatha between BEH and the joiner, ALEF (right) after
    [InlineData("\u0915\u094D\u200D\u0937")]                              // Devanagari: ZWJ after a virama
    [InlineData("\u0915\u094D\u200C\u0937")]                              // and ZWNJ after a virama
    public void Joiners_inside_words_of_scripts_that_need_them_are_allowed(string name)
    {
        Assert.True(TopicNames.TryClean(name, out var clean, out var problem), problem);
        Assert.Equal(name, clean);
    }

    [Theory]
    [InlineData("A\u200CI", "U+200C at character 2")]                      // Latin letters do not join
    [InlineData("A\u200DI", "U+200D at character 2")]
    [InlineData("\u200C\u0645\u06CC", "U+200C at character 1")]           // at the start
    [InlineData("\u0645\u06CC\u200C", "U+200C at character 3")]           // at the end
    [InlineData("\u0627\u200C\u0628", "U+200C at character 2")]          // after ALEF, which joins only to the right
    [InlineData("\u0645\u06CC\u200D\u062E", "U+200D at character 3")]    // ZWJ needs a virama, not a joining letter
    [InlineData("\u0915\u200D\u0937", "U+200D at character 2")]          // nor a consonant without one
    public void Joiners_outside_those_contexts_are_refused_naming_them(string name, string where)
    {
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Equal("contains the invisible or bidirectional character " + where, problem);
    }

    [Theory]
    [InlineData("AI\u202E", "U+202E at character 3")]
    [InlineData("A\u200BI", "U+200B at character 2")]
    [InlineData("\u2066AI\u2069", "U+2066 at character 1")]
    [InlineData("A\uFEFFI", "U+FEFF at character 2")]
    public void Invisible_and_bidi_characters_are_refused_naming_them(string name, string where)
    {
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Equal("contains the invisible or bidirectional character " + where, problem);
    }

    [Theory]
    [InlineData("A\u0001I", "contains the control character U+0001 at character 2")]
    [InlineData("A\u007FI", "contains the control character U+007F at character 2")]
    [InlineData("A\tI", "contains a tab or line break (U+0009) at character 2; this field is a single line")]
    [InlineData("A\nI", "contains a tab or line break (U+000A) at character 2; this field is a single line")]
    public void Control_characters_and_line_breaks_inside_a_name_are_refused(string name, string reason)
    {
        Assert.False(TopicNames.TryClean(name, out _, out var problem));
        Assert.Equal(reason, problem);
    }
}
