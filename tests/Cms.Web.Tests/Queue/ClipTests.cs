using System.Text;
using Cms.Web.Infrastructure;

namespace Cms.Web.Tests.Queue;

// A title, line or URL clipped for a page (Display.Clip) and an excerpt's text (ExcerptHtml.Text)
// share one cut (UnicodeText.Clip): it never leaves half of a surrogate pair, which the page's
// encoder would write as U+FFFD.
public sealed class ClipTests
{
    [Fact]
    public void A_clipped_title_never_ends_in_half_of_an_emoji()
    {
        var title = new string('a', Display.QueueTitleChars - 1) + "\U0001F600 and more";

        var shown = Display.Clip(title, Display.QueueTitleChars)!;

        Assert.Equal(new string('a', Display.QueueTitleChars - 1) + "…", shown);
        Assert.True(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(shown)) == shown, "the clipped title is valid UTF-16");
    }

    [Fact]
    public void A_title_within_the_bound_or_cut_between_whole_characters_is_clipped_as_before()
    {
        Assert.Equal("abc", Display.Clip("abc", 3));
        Assert.Equal("ab…", Display.Clip("abcd", 2));
        Assert.Equal("a\U0001F600…", Display.Clip("a\U0001F600b", 3));
        Assert.Null(Display.Clip(null, 3));
    }

    [Fact]
    public void An_audit_value_shortened_for_the_audit_page_never_ends_in_half_of_an_emoji()
    {
        var shown = Cms.Web.Pages.Audit.IndexModel.Shorten(new string('a', 299) + "\U0001F600 more");

        Assert.Equal(new string('a', 299) + "…", shown);
    }
}
