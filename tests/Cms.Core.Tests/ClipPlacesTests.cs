using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Talk;
using Cms.Core.Text;

namespace Cms.Core.Tests;

// UnicodeText.Clip is the one cut of user text (POLISH9): at a grapheme cluster boundary, so an
// emoji at the bound is never cut in half (the encoder would write U+FFFD, PostgreSQL would refuse
// to store it), a letter keeps its marks, a flag both halves, a ZWJ family all its people. Each
// place in Cms.Core that clips user text is checked with an emoji at its bound.
public sealed class ClipPlacesTests
{
    private const string Emoji = "\U0001F600";

    private static bool IsWhole(string text) => UnicodeText.FindUnpairedSurrogate(text) < 0;

    [Fact]
    public void Clip_never_ends_in_half_of_an_emoji()
    {
        Assert.Equal("abc…", UnicodeText.Clip("abc" + Emoji + "d", 4));
        Assert.Equal("abc", UnicodeText.Clip("abc" + Emoji + "d", 4, ""));
    }

    [Fact]
    public void Clip_keeps_a_letter_with_its_combining_mark()
    {
        Assert.Equal("ab…", UnicodeText.Clip("abe\u0301f", 3));
        Assert.Equal("abe\u0301…", UnicodeText.Clip("abe\u0301f", 4));
    }

    [Fact]
    public void Clip_keeps_an_emoji_with_its_skin_tone_a_flag_whole_and_a_zwj_family_whole()
    {
        Assert.Equal("a…", UnicodeText.Clip("a\U0001F44D\U0001F3FDb", 3)); // thumbs up, medium skin tone
        Assert.Equal("a…", UnicodeText.Clip("a\U0001F1EB\U0001F1F7b", 3)); // flag of France
        var family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";
        Assert.Equal("a…", UnicodeText.Clip("a" + family + "b", 4));
        Assert.Equal("a" + family + "…", UnicodeText.Clip("a" + family + "b", 1 + family.Length));
    }

    [Fact]
    public void Clip_of_one_cluster_longer_than_the_bound_cuts_between_code_points()
    {
        var piled = "e" + new string('\u0301', 20);

        Assert.Equal("e\u0301\u0301…", UnicodeText.Clip(piled, 3));
        Assert.Equal("a…", UnicodeText.Clip("a" + Emoji, 2));
        Assert.Equal("…", UnicodeText.Clip(Emoji + Emoji, 1));
    }

    [Fact]
    public void Clip_of_text_within_the_bound_is_the_text()
    {
        Assert.Equal("abc", UnicodeText.Clip("abc", 3));
        Assert.Equal("", UnicodeText.Clip("", 0));
    }

    [Fact]
    public void A_comment_preview_never_ends_in_half_of_an_emoji_or_without_its_skin_tone()
    {
        var preview = CommentText.Preview(new string('a', 139) + Emoji + " more", 140);
        Assert.Equal(new string('a', 139) + "…", preview);

        var toned = CommentText.Preview(new string('a', 138) + "\U0001F44D\U0001F3FD more", 140);
        Assert.Equal(new string('a', 138) + "…", toned);
    }

    [Fact]
    public void A_refused_value_quoted_in_a_reader_message_never_ends_in_half_of_an_emoji()
    {
        var parser = new ItemParser(new YamlFrontMatterReader());
        var body = "notint: !!int " + new string('a', 59) + Emoji + "x\n";

        var problem = Assert.Throws<FrontMatterException>(() =>
            parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes("---\ntitle: \"A story\"\noriginalUrl: \"https://example.com/a\"\n" + body + "---\n"))).Problem;

        Assert.Contains("'" + new string('a', 59) + "…' is not a valid !!int", problem.Reason);
        Assert.True(IsWhole(problem.Reason));
    }

    [Fact]
    public void A_refused_collection_tag_quoted_in_a_reader_message_never_ends_in_half_of_an_emoji()
    {
        var parser = new ItemParser(new YamlFrontMatterReader());
        var tag = "!" + new string('a', 58) + "%F0%9F%98%80x"; // a tag spells non-ASCII percent-encoded; the reader decodes it

        var problem = Assert.Throws<FrontMatterException>(() =>
            parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes("---\ntitle: \"A story\"\noriginalUrl: \"https://example.com/a\"\ntopics: " + tag + " [a]\n---\n"))).Problem;

        Assert.Contains("the tag !" + new string('a', 58) + "… is not allowed", problem.Reason);
        Assert.True(IsWhole(problem.Reason));
    }

    [Fact]
    public void A_history_diff_never_shows_half_of_an_emoji_at_the_edges_of_its_context()
    {
        // The unchanged start is shown from ContextChars before the change: an emoji straddles that point.
        var head = "x" + Emoji + new string('a', TextDiff.ContextChars - 2) + " ";
        var tail = " " + new string('b', TextDiff.ContextChars - 2) + Emoji + "y";

        var diff = TextDiff.Of(head + "one" + tail, head + "two" + tail);

        Assert.All(diff.Pieces, p => Assert.True(IsWhole(p.Text), $"piece '{p.Text}' holds half of a surrogate pair"));
        Assert.Equal(head.Length, diff.Pieces[0].Text.Length + diff.Pieces[0].LeftOut);
    }

    [Fact]
    public void A_history_diff_cuts_a_long_change_between_whole_characters()
    {
        var after = new string('a', TextDiff.MaxChangeChars - 1) + Emoji + "zzz";

        var diff = TextDiff.Of("", after);

        var inserted = Assert.Single(diff.Pieces);
        Assert.Equal(new string('a', TextDiff.MaxChangeChars - 1), inserted.Text);
        Assert.Equal(after.Length - inserted.Text.Length, inserted.LeftOut);
    }

    // 👨🏽‍👨‍👨‍… : one extended grapheme cluster (GB11 chains ExtPict ZWJ ExtPict), every joiner kept
    // by the joiner rule (a base, its tone, then a continuation).
    private static string Chain(string first, int joined)
    {
        var text = first;
        for (var i = 0; i < joined; i++)
        {
            text += "\u200D\U0001F468";
        }
        return text;
    }

    [Fact]
    // REVIEW10 R10-4: the fallback for one cluster longer than the bound cut right after a joiner.
    public void Clip_of_a_joined_cluster_longer_than_the_bound_never_ends_in_a_joiner()
    {
        var chain = Chain("\U0001F468\U0001F3FD", 10);
        Assert.Null(UnicodeText.NameProblem(chain));

        var clipped = UnicodeText.Clip(chain, 5);

        Assert.DoesNotContain("\u200D…", clipped, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clip_at_20_of_a_toned_chain_as_a_topic_error_writes_it_never_ends_in_a_joiner()
    {
        // SaveItemEdits: $"Topic '{UnicodeText.Clip(bad, 20)}' is longer than ...": a 20-unit cut of a
        // toned chain (5 units a person) lands right after the fourth joiner.
        var chain = Chain("\U0001F468\U0001F3FD", 0);
        while (chain.Length < 60)
        {
            chain += "\u200D\U0001F468\U0001F3FD";
        }

        var clipped = UnicodeText.Clip(chain, 20);

        Assert.NotEqual('\u200D', clipped[^2]);
    }
}
