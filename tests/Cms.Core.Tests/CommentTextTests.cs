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
