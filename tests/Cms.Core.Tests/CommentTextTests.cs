using Cms.Core.Talk;

namespace Cms.Core.Tests;

public sealed class CommentTextTests
{
    [Fact]
    public void A_mention_starts_a_word_and_leaves_sentence_punctuation_out()
    {
        var body = "(@alice@example.com) ask @bob. Mail carol@example.com, or @dave:";

        var names = CommentText.Mentions(body).Select(m => m.Name).ToList();

        Assert.Equal(["alice@example.com", "bob", "dave"], names);
        var bob = CommentText.Mentions(body)[1];
        Assert.Equal("@bob", body.Substring(bob.Start, bob.Length));
    }

    [Fact]
    public void Only_absolute_http_urls_become_links_and_everything_else_stays_text()
    {
        var segments = CommentText.Segments("see https://a.example/x?y=1. not javascript:alert(1) nor //b.example or <http://c.example>", []);

        var links = segments.Where(s => s.Kind == CommentSegmentKind.Link).Select(s => s.Text).ToList();
        Assert.Equal(["https://a.example/x?y=1", "http://c.example"], links);
        Assert.Equal("see https://a.example/x?y=1. not javascript:alert(1) nor //b.example or <http://c.example>", string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void A_resolved_mention_shows_the_current_name_in_place_of_what_was_typed()
    {
        var body = "thanks @OldName!";
        var token = CommentText.Mentions(body).Single();

        var segments = CommentText.Segments(body, [(token.Start, token.Length, "id-1", "new.name@example.com")]);

        Assert.Equal(["thanks ", "@new.name@example.com", "!"], segments.Select(s => s.Text));
        Assert.Equal("id-1", segments[1].UserId);
    }

    [Theory]
    [InlineData("", "Write something first.")]
    [InlineData("a\u0000b", "control character")]
    public void A_body_that_cannot_be_stored_is_refused_with_the_reason(string body, string reason) =>
        Assert.Contains(reason, CommentText.Problem(body));

    [Fact]
    public void An_unpaired_surrogate_is_refused() =>
        Assert.Contains("broken character", CommentText.Problem("a" + (char)0xD800 + "b"));

    [Fact]
    public void Line_breaks_and_tabs_are_text_and_length_is_bounded()
    {
        Assert.Null(CommentText.Problem("one\r\ntwo\tthree"));
        Assert.Equal("one\ntwo", CommentText.Clean(" one\r\ntwo \n"));
        Assert.Contains("at most 4000", CommentText.Problem(new string('x', 4001)));
    }
}

// REVIEW7 #10: a comment is stored without the invisible and bidi characters UnicodeText's rule
// strips from titles (the joiners Persian needs stay), so the thread, the link's comment line, the
// inbox and the e-mail digest, which all show the stored body, never draw a reversed link.
public sealed class CommentInvisibleTextTests
{
    [Fact]
    public void A_comment_is_stored_without_a_right_to_left_override_so_its_link_reads_as_it_goes()
    {
        var body = CommentText.Clean("Source is fine: https://files.example/report-\u202Efdp.exe ok");

        Assert.Equal("Source is fine: https://files.example/report-fdp.exe ok", body);
        var link = Assert.Single(CommentText.Segments(body, []), s => s.Kind == CommentSegmentKind.Link);
        Assert.Equal("https://files.example/report-fdp.exe", link.Text);
    }

    [Fact]
    public void Zero_width_characters_inside_a_mention_or_a_word_are_removed_and_persian_joiners_kept()
    {
        const string persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";

        var body = CommentText.Clean($"ask @ali\u200Bce about {persian} pay\u200Bment");

        Assert.Equal($"ask @alice about {persian} payment", body);
        Assert.Equal("alice", Assert.Single(CommentText.Mentions(body)).Name);
    }

    [Theory]
    [InlineData("\u200B\u202E")]
    [InlineData(" \u2060 ")]
    public void A_comment_of_invisible_characters_only_is_refused(string body)
    {
        Assert.Equal("Write something first.", CommentText.Problem(body));
    }
}
