using System.Net;
using Cms.Application.Items;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Items;

// The item page as the editor's workspace: the quality box, images, source and `secured`.
public sealed partial class ItemEditingTests
{
    [Fact]
    public async Task Emptying_the_quality_box_alone_is_refused_and_keeps_the_score()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var (_, form) = await OpenAsync(editor, id);
        form["Input.Quality"] = "";

        var response = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(SaveItemEdits.QualityEmptied), await response.Content.ReadAsStringAsync());
        Assert.Equal(40, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Fact]
    public async Task Clear_the_score_removes_it_on_purpose()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var (html, form) = await OpenAsync(editor, id);
        Assert.NotNull(Html.Parse(html).QuerySelector("#Input_ClearQuality"));
        form["Input.Quality"] = "";
        form["Input.ClearQuality"] = "true";

        var response = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Fact]
    public async Task The_page_shows_images_lazily_without_referrer_and_secured_and_the_source_in_full_below_the_form()
    {
        var secured = "token-" + new string('s', 3000) + "-end";
        var story = _source with
        {
            ExtraYaml =
            [
                "images:", "  - url: \"https://img.example/a.jpg\"", "  - url: \"javascript:alert(1)\"", "  - url: \"/relative.jpg\"",
                $"secured: \"{secured}\"",
            ],
        };
        await ImportAsync(story);
        var id = ItemId(story);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);

        var image = Assert.Single(page.QuerySelectorAll("#item-images img"));
        Assert.Equal(("https://img.example/a.jpg", "lazy", "no-referrer"), (image.GetAttribute("src"), image.GetAttribute("loading"), image.GetAttribute("referrerpolicy")));
        Assert.Contains("Image did not load: https://img.example/a.jpg", html);
        Assert.DoesNotContain("javascript:alert", html[..html.IndexOf("id=\"source\"", StringComparison.Ordinal)]);
        Assert.Empty(page.QuerySelectorAll("img[src='/relative.jpg']"));
        Assert.Equal(secured, page.One("pre#secured").TextContent);
        Assert.True(page.One("#edit-form").CompareDocumentPosition(page.One("#source")).HasFlag(AngleSharp.Dom.DocumentPositions.Following), "the source comes after the form");
        Assert.NotNull(page.QuerySelector("#edit-form .action-bar"));
        Assert.NotNull(page.QuerySelector("script[src^='/js/item.js']"));
    }

    [Fact]
    public async Task A_related_link_card_shows_its_own_quality_and_first_safe_picture()
    {
        var story = _source with
        {
            Related = null,
            ExtraYaml =
            [
                "related:",
                "  - title: \"With picture\"",
                "    webUrl: \"https://a.example/with-picture\"",
                "    quality: 67",
                "    images:",
                "      - url: \"javascript:alert(1)\"",
                "      - \"not a mapping\"",
                "      - url: \"https://img.example/related.jpg\"",
                "  - title: \"Without picture\"",
                "    webUrl: \"https://b.example/without-picture\"",
                "    images: \"not a list\"",
            ],
        };
        await ImportAsync(story);
        var id = ItemId(story);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);

        Assert.Equal("quality 67", Assert.Single(page.QuerySelectorAll(".link-quality")).TextContent);
        var image = Assert.Single(page.QuerySelectorAll(".related-link img"));
        Assert.Equal(("https://img.example/related.jpg", "lazy", "no-referrer"), (image.GetAttribute("src"), image.GetAttribute("loading"), image.GetAttribute("referrerpolicy")));
        Assert.Contains("Image did not load: https://img.example/related.jpg", html);
        var links = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => new { l.Quality, l.ImageUrl }).ToList());
        Assert.Equal((67, "https://img.example/related.jpg"), (links[0].Quality!.Value, links[0].ImageUrl));
        Assert.Null(links[1].Quality);
        Assert.Null(links[1].ImageUrl);
    }
}
