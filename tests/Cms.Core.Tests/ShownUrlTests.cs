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
}
