using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Tests;

// REVIEW7 #3: a URL shown as text (the item's original and web URL, a related link's address line,
// an image's) is stored, shown and published with its invisible and bidi characters
// percent-encoded, as a browser sends them: ".../a\u202Egnp.exe" is never drawn as ".../aexe.png",
// and the link still goes (and is identified) where the outlet's went. `type` is text, stripped as
// a title is.
public sealed class ShownUrlTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    [Fact]
    public void Urls_and_type_are_stored_and_published_without_a_bidi_override_and_links_keep_their_identity()
    {
        const string related = "https://other.example/a\u202Egnp.exe";
        var yaml = ItemYaml.Valid()
            .Set("originalUrl", "https://news.example/orig-\u200B\u202Efdp.exe")
            .Set("webUrl", "https://news.example/report-\u202Efdp.exe?q=\u2066x")
            .Set("type", "article\u202E")
            .Images(ItemYaml.Link("url", "https://img.example/\u202Egnp.jpg"))
            .Related(ItemYaml.Link("webUrl", related) + "\n" + ItemYaml.Link("title", "t") + "\n" + ItemYaml.Link("ampWebUrl", "https://amp.example/\u202Ex")
                + "\nimages:\n  - " + ItemYaml.Link("url", "https://img.example/\u202Er.jpg"));

        var item = _parser.Parse("in/001_x.txt", yaml.ToBytes());

        Assert.Equal("https://news.example/orig-%E2%80%8B%E2%80%AEfdp.exe", item.OriginalUrl);
        Assert.Equal("https://news.example/report-%E2%80%AEfdp.exe?q=%E2%81%A6x", item.WebUrl);
        Assert.Equal("article", item.Type);
        Assert.Equal("https://img.example/%E2%80%AEgnp.jpg", item.Images.Single().Url);
        var link = item.Related.Single();
        Assert.Equal("https://other.example/a%E2%80%AEgnp.exe", link.Url);
        Assert.Equal("https://img.example/%E2%80%AEr.jpg", link.ImageUrl);
        Assert.Equal(LinkIdentity.Of(related), link.Identity);
        Assert.Equal(link.Identity, LinkIdentity.Of(link.Url!));
        Assert.True(link.IsSafeUrl);

        var published = ItemExport.Apply(item.Document.Root,
            new ItemEdits(WorkflowState.Published, false, null, null, item.Topics, new HashSet<string> { link.Identity! }));
        var entry = (SourceMapping)((SourceSequence)published["related"]!).Items.Single();
        var written = new[]
        {
            published["originalUrl"], published["webUrl"], published["type"], ((SourceMapping)((SourceSequence)published["images"]!).Items.Single())["url"],
            entry["webUrl"], entry["ampWebUrl"], ((SourceMapping)((SourceSequence)entry["images"]!).Items.Single())["url"],
        }.Select(node => ((SourceScalar)node!).Value).ToList();
        Assert.All(written, value => Assert.True(UnicodeText.FindInvisibleOrBidi(value) < 0, $"published '{value}'"));
        Assert.Equal<string?>([item.OriginalUrl, item.WebUrl, item.Type, item.Images.Single().Url, link.Url, "https://amp.example/%E2%80%AEx", link.ImageUrl], written);
    }

    [Theory]
    [InlineData("https://e.example/\u05D0\u05D1/caf\u00E9", "https://e.example/\u05D0\u05D1/caf\u00E9")]
    [InlineData("https://e.example/a\uFEFFb\u00ADc", "https://e.example/a%EF%BB%BFb%C2%ADc")]
    [InlineData("https://e.example/\U000E0041x", "https://e.example/%F3%A0%81%81x")]
    public void Only_invisible_and_bidi_characters_of_a_url_are_percent_encoded(string url, string shown)
    {
        Assert.Equal(shown, UrlRules.Shown(url));
        Assert.Equal(shown, UrlRules.Shown(shown));
    }

    // REVIEW8 #1: Uri (like a browser's IDNA mapping) reads a host without its ignorable characters,
    // so "https://exa\u200Bmple.com/a" goes to example.com; a percent-encoded host is no host at all.
    // Shown writes the host as Uri reads it: an absolute http(s) URL stays one, with its identity,
    // whatever invisible or bidi character stands where, in any host (IDN, punycode, ports, userinfo).
    [Fact]
    public void Showing_a_url_never_changes_whether_it_is_an_absolute_http_url_nor_its_identity()
    {
        string[] hosts = ["example.com", "news.example.co.uk", "\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444", "xn--e1afmkfd.xn--p1ai", "caf\u00E9.example", "\u6771\u4EAC.jp", "EXAMPLE.com"];
        string[] invisible = ["\u00AD", "\u200B", "\uFEFF", "\u2060", "\u200C", "\u200D", "\u200E", "\u200F", "\u202E", "\u2066", "\u061C", "\uFE0F", "\u180E", "\U000E0041"];
        string[] prefixes = ["https://", "http://", "https://user:pw@", "https://us\u200Ber@", "HTTPS://"];
        string[] suffixes = ["/a", "", ":8080/a?q=1#f", ":443/", "/p\u202Eath?q=\u200B#fr\u2066ag", "?x", "#top", "\\back"];
        var random = new Random(1);
        var absolute = 0;
        var cases = 0;
        foreach (var host in hosts)
        {
            foreach (var mark in invisible)
            {
                for (var at = 0; at <= host.Length; at++)
                {
                    var url = prefixes[random.Next(prefixes.Length)] + host.Insert(at, mark) + suffixes[random.Next(suffixes.Length)];
                    var shown = UrlRules.Shown(url);
                    Assert.True(UrlRules.IsAbsoluteHttp(shown) == UrlRules.IsAbsoluteHttp(url), $"'{url}' shown '{shown}'");
                    Assert.True(LinkIdentity.Of(shown) == LinkIdentity.Of(url), $"'{url}' ({LinkIdentity.Of(url)}) shown '{shown}' ({LinkIdentity.Of(shown)})");
                    Assert.True(UnicodeText.FindInvisibleOrBidi(shown) < 0, $"'{url}' shown '{shown}'");
                    Assert.Equal(shown, UrlRules.Shown(shown));
                    absolute += UrlRules.IsAbsoluteHttp(url) ? 1 : 0;
                    cases++;
                }
            }
        }
        Assert.True(absolute > cases / 4, $"{absolute} of {cases} generated URLs are absolute http(s)");
    }

    [Fact]
    public void A_link_whose_host_holds_a_zero_width_space_is_stored_published_checked_and_rendered_where_it_goes()
    {
        const string url = "https://exa\u200Bmple.com/a";
        var item = _parser.Parse("in/001_x.txt", ItemYaml.Valid()
            .Set("webUrl", "https://news\u00AD.example/w")
            .Set("excerpt", "<p><a href=\"https://exa\u200Bmple.com/x\">link</a></p>")
            .Related(ItemYaml.Link("webUrl", url)).ToBytes());

        var link = item.Related.Single();
        Assert.Equal("https://example.com/a", link.Url);
        Assert.Equal("https://news.example/w", item.WebUrl);
        Assert.Equal(LinkIdentity.Of(url), link.Identity);
        Assert.Equal(Cms.Core.Links.LinkRules.Key(url), Cms.Core.Links.LinkRules.Key(link.Url));
        Assert.Equal("<p><a href=\"https://example.com/x\" rel=\"noopener noreferrer nofollow\">link</a></p>", item.Excerpt);
        Assert.Equal(item.Excerpt, ExcerptHtml.NewSanitizer().Sanitize(item.Excerpt!));
    }

    // Uri takes "https://exa\u200Cmple.com/a" (a joiner, U+2066, U+061C in the host) but its IDNA
    // mapping refuses it: IdnHost, and so every identity, threw UriFormatException out of the parser.
    // No browser goes there: it is not an absolute http(s) URL, refused with the field's error.
    [Theory]
    [InlineData("https://exa\u200Cmple.com/a")]
    [InlineData("https://example.com\u200D/a")]
    [InlineData("https://\u2066example.com/a")]
    [InlineData("https://exa\u061Cmple.com/a")]
    public void A_host_that_idna_refuses_is_no_absolute_url_and_an_item_naming_it_gets_the_fields_error(string url)
    {
        Assert.False(UrlRules.IsAbsoluteHttp(url));
        Assert.Null(LinkIdentity.Of(url));

        var problem = Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", ItemYaml.Valid().Set("originalUrl", url).ToBytes())).Problem;
        var link = _parser.Parse("in/001_x.txt", ItemYaml.Valid().Related(ItemYaml.Link("webUrl", url)).ToBytes()).Related.Single();

        Assert.Equal(("originalUrl", "must be an absolute http(s) URL"), (problem.Field, problem.Reason));
        Assert.Null(link.Identity);
        Assert.False(link.IsSafeUrl);
    }
}
