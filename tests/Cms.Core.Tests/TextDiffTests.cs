using Cms.Core.Text;

namespace Cms.Core.Tests;

// The history's diff: exactly the stored text, and bounded work and output whatever the values.
public sealed class TextDiffTests
{
    private static string Side(TextDiff.Result diff, TextDiff.Kind changed) =>
        string.Concat(diff.Pieces.Where(p => p.Kind == TextDiff.Kind.Same || p.Kind == changed).Select(p => p.Text));

    [Fact]
    public void Each_side_reads_exactly_as_stored_with_no_space_added()
    {
        const string before = "Coverage: https://www.reuters.com/world/asia-pacific/japan-quake-2024-01-01/ and more";
        const string after = "Coverage: https://www.reuters.com/world/asia-pacific/japan-quake-2024-01-02/ and more";

        var diff = TextDiff.Of(before, after);

        Assert.Equal(before, Side(diff, TextDiff.Kind.Deleted));
        Assert.Equal(after, Side(diff, TextDiff.Kind.Inserted));
        Assert.Contains(diff.Pieces, p => p.Kind == TextDiff.Kind.Same && p.Text.Contains("https://www.reuters.com/world/"));
        Assert.All(diff.Pieces, p => Assert.Equal(0, p.LeftOut));
    }

    [Fact]
    public void A_word_changed_in_its_middle_is_shown_whole()
    {
        var diff = TextDiff.Of("the quake struck Tokyo today", "the quake struck Osaka today");

        Assert.Equal(["the quake struck ", "Tokyo", "Osaka", " today"], diff.Pieces.Select(p => p.Text));
        Assert.Equal([TextDiff.Kind.Same, TextDiff.Kind.Deleted, TextDiff.Kind.Inserted, TextDiff.Kind.Same], diff.Pieces.Select(p => p.Kind));
    }

    [Fact]
    public void A_line_inserted_at_the_top_of_a_list_is_the_only_change_shown()
    {
        var lines = Enumerable.Range(0, 50).Select(i => $"Story {i} — https://news.example/{i}").ToList();
        var before = string.Join("\n", lines);
        var after = "Hoax — https://evil.example/\n" + before;

        var diff = TextDiff.Of(before, after);

        Assert.Equal("Hoax — https://evil.example/\n", string.Concat(diff.Pieces.Where(p => p.Kind == TextDiff.Kind.Inserted).Select(p => p.Text)));
        Assert.DoesNotContain(diff.Pieces, p => p.Kind == TextDiff.Kind.Deleted);
    }

    [Fact]
    public void A_surrogate_pair_is_never_split()
    {
        var diff = TextDiff.Of("flag \U0001F1EF\U0001F1F5 here", "flag \U0001F1EF\U0001F1F7 here");

        Assert.All(diff.Pieces, p => Assert.False(p.Text.Length > 0 && (char.IsLowSurrogate(p.Text[0]) || char.IsHighSurrogate(p.Text[^1])), p.Text));
        Assert.Equal("flag \U0001F1EF\U0001F1F5 here", Side(diff, TextDiff.Kind.Deleted));
    }

    // 50 related links of 3,000 words each, every one changed: the case that took 132.6 s as a
    // word diff. The work is at most one comparison per character of the shorter value, twice,
    // and what is shown is capped, whatever the size.
    [Fact]
    public void Work_is_linear_and_what_is_shown_is_capped_for_fifty_links_of_three_thousand_words()
    {
        var words = string.Join(" ", Enumerable.Range(0, 3_000).Select(i => "word" + i));
        var before = string.Join("\n", Enumerable.Range(0, 50).Select(i => $"Title {i} {words} — https://news.example/{i}"));
        var after = string.Join("\n", Enumerable.Range(0, 50).Select(i => $"Title {i} {words} changed — https://other.example/{i}"));
        Assert.True(before.Length > 1_000_000, "over a million characters each");

        var diff = TextDiff.Of(before, after);

        Assert.True(diff.Comparisons <= 2L * Math.Min(before.Length, after.Length), $"{diff.Comparisons} comparisons");
        Assert.True(diff.Pieces.Sum(p => p.Text.Length) <= 2 * TextDiff.ContextChars + 2 * TextDiff.MaxChangeChars);
        Assert.Equal(before.Length, diff.Pieces.Where(p => p.Kind != TextDiff.Kind.Inserted).Sum(p => p.Text.Length + p.LeftOut));
        Assert.Equal(after.Length, diff.Pieces.Where(p => p.Kind != TextDiff.Kind.Deleted).Sum(p => p.Text.Length + p.LeftOut));
    }

    [Fact]
    public void Identical_and_empty_values_give_no_change()
    {
        Assert.Equal([TextDiff.Kind.Same], TextDiff.Of("same", "same").Pieces.Select(p => p.Kind));
        Assert.Empty(TextDiff.Of(null, "").Pieces);
        Assert.Equal([(TextDiff.Kind.Inserted, "new")], TextDiff.Of(null, "new").Pieces.Select(p => (p.Kind, p.Text)));
    }

    [Fact]
    // REVIEW10 R10-6: the leading context is cut from the end, and began at the family's joiner.
    public void The_history_diffs_leading_context_never_starts_with_a_joiner()
    {
        // The unchanged start is shown as its last ContextChars (160) units; here they begin at the
        // family's joiner: "\u200D👩aaa… ".
        var lead = "\U0001F468\u200D\U0001F469" + new string('a', 156) + " ";
        var diff = TextDiff.Of(lead + "X", lead + "Y");

        var context = diff.Pieces.First(p => p.Kind == TextDiff.Kind.Same).Text;

        Assert.NotEqual('\u200D', context[0]);
    }

    [Theory]
    [InlineData("\U0001F44D\U0001F3FD")] // a skin tone
    [InlineData("e\u0301")] // a combining mark
    [InlineData("\u2764\uFE0F")] // a selector
    public void The_history_diffs_leading_context_never_starts_with_what_goes_on_with_the_character_before(string cluster)
    {
        var lead = cluster + new string('a', 159 - cluster.Length + 1) + " ";
        var diff = TextDiff.Of(lead + "X", lead + "Y");

        var context = diff.Pieces.First(p => p.Kind == TextDiff.Kind.Same).Text;

        Assert.Equal('a', context[0]);
    }
}
