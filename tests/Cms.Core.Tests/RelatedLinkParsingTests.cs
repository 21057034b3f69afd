using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// A related link's own quality and picture, for its card on the item page.
public sealed class RelatedLinkParsingTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    [Fact]
    public void A_related_link_keeps_its_quality_and_its_first_absolute_http_picture()
    {
        var yaml = ItemYaml.Valid().Related(
            ItemYaml.Link("title", "first") + "\n" + ItemYaml.Link("webUrl", "https://a.example/1") + "\nquality: 67\nimages:\n  - url: \"javascript:alert(1)\"\n  - url: \"/relative.jpg\"\n  - \"not a mapping\"\n  - url: \"https://img.example/r.jpg\"\n  - url: \"https://img.example/second.jpg\"",
            ItemYaml.Link("title", "second") + "\n" + ItemYaml.Link("webUrl", "https://b.example/2") + "\nimages: \"not a list\"");

        var item = _parser.Parse("in/001_x.txt", yaml.ToBytes());

        Assert.Equal((67, "https://img.example/r.jpg"), (item.Related[0].Quality!.Value, item.Related[0].ImageUrl));
        Assert.Null(item.Related[1].Quality);
        Assert.Null(item.Related[1].ImageUrl);
    }

    [Fact]
    public void A_picture_url_over_the_limit_or_with_a_line_break_is_not_shown()
    {
        var limits = new ItemLimits { MaxUrlLength = 40 };
        var parser = new ItemParser(new YamlFrontMatterReader(), limits);
        var yaml = ItemYaml.Valid().Related(
            ItemYaml.Link("title", "first") + "\n" + ItemYaml.Link("webUrl", "https://a.example/1") + "\nimages:\n  - url: \"https://img.example/" + new string('x', 40) + ".jpg\"\n  - url: \"https://img.example/a\\nb.jpg\"");

        var item = parser.Parse("in/001_x.txt", yaml.ToBytes());

        Assert.Null(item.Related[0].ImageUrl);
    }
}
