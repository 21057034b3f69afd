using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Web.Tests.Testing;

// The shared item builder must write files the real parser reads back field for field, whatever
// text a test puts in them; a quoting slip would otherwise show up as a puzzling import failure.
public sealed class TestItemTests
{
    private static ParsedItem Parse(TestItem item) => new ItemParser(new YamlFrontMatterReader()).ParseText("001_item.txt", item.ToYaml());

    [Fact]
    public void Every_field_reads_back_as_written_even_with_quotes_colons_and_markers()
    {
        var item = new TestItem
        {
            // Line breaks only where the format allows them (free text such as the excerpt).
            Title = "He said \"no\": a \\ back-slash, # not a comment --- not a marker",
            // (Markup the sanitizer keeps: excerpts are stored as it renders them.)
            Excerpt = "<p>Выборы</p>\n--- not a marker",
            Category = "news",
            ProviderName = "Новая газета",
            ProviderDomain = "novayagazeta.ru",
            PublishedDateTime = TestItem.Utc(2024, 2, 20, 8),
            Quality = 0,
            Heat = -1,
            Published = true,
            Topics = ["AI", "it's: \"quoted\""],
            Related = [("One", "https://one.example/a"), ("Unsafe", "javascript:alert(1)")],
            ExtraYaml = ["locale: en-GB"],
        };

        var parsed = Parse(item);

        Assert.Equal(item.Title, parsed.Title);
        Assert.Equal(item.Excerpt, parsed.Excerpt);
        Assert.Equal("news", parsed.Category);
        Assert.Equal(("Новая газета", "novayagazeta.ru"), (parsed.ProviderName, parsed.ProviderDomain));
        Assert.Equal(item.PublishedDateTime, parsed.PublishedAt);
        Assert.Equal(item.OriginalUrl, parsed.OriginalUrl);
        Assert.Equal((0, -1, true), (parsed.Quality, parsed.Heat, parsed.Published));
        Assert.Equal(item.Topics, parsed.Topics);
        Assert.Equal([("One", "https://one.example/a"), ("Unsafe", "javascript:alert(1)")], parsed.Related.Select(r => (r.Title!, r.Url!)));
        Assert.Equal("en-GB", ((SourceScalar)parsed.Document.Root["locale"]!).Value);
    }

    [Fact]
    public void Each_instance_is_a_different_item_and_a_with_copy_is_the_same_item()
    {
        var first = new TestItem();
        var second = new TestItem();
        var changed = first with { Title = "Changed" };

        Assert.NotEqual(first.OriginalUrl, second.OriginalUrl);
        Assert.NotEqual(first.Title, second.Title);
        Assert.Equal(first.OriginalUrl, changed.OriginalUrl);
    }

    [Fact]
    public void A_related_count_writes_that_many_links_and_empty_lists_stay_empty()
    {
        var parsed = Parse(new TestItem { RelatedCount = 3, Topics = [] });
        var bare = Parse(new TestItem { RelatedCount = 0 });

        Assert.Equal(3, parsed.Related.Count);
        Assert.Equal(3, parsed.Related.Select(r => r.Url).Distinct().Count());
        Assert.Empty(parsed.Topics);
        Assert.Empty(bare.Related);
        Assert.Contains("related: []", new TestItem { RelatedCount = 0 }.ToYaml());
    }

    [Fact]
    public void Related_and_a_related_count_together_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new TestItem { Related = [], RelatedCount = 1 }.ToYaml());
    }
}
