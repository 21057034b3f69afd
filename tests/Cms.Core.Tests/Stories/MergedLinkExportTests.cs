using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests.Stories;

// Links a merge added are not in the item's source: the output writes the approved ones where the
// item page showed them (by position; a merge's after the source's entries), as entries of the format, and never a pending one or a second entry of a URL
// the source lists already.
public sealed class MergedLinkExportTests
{
    private static readonly YamlFrontMatterReader Reader = new();

    private static SourceMapping Source(params string[] urls) => Reader.ReadText("a",
        "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\n"
        + (urls.Length == 0 ? "" : "related:\n" + string.Concat(urls.Select((u, i) => $"  - title: \"link {i}\"\n    webUrl: \"{u}\"\n"))) + "---\n").Root;

    // A merge puts its link after the item's links (position 100 here); a moved link's new address
    // takes the replaced entry's position.
    private static AddedLink Added(string url, int position = 100) => new(LinkIdentity.Of(url)!, url, "Yes: 2024", "<em>Harbour</em> reopens", "beta", "beta.example",
        new DateTimeOffset(2026, 4, 2, 9, 0, 0, TimeSpan.Zero), 69, "https://img.example/1.jpg", position);

    private static List<SourceMapping> Related(SourceMapping source, WorkflowState state, bool edited, string[] approved, params AddedLink[] added) =>
        ItemExport.Apply(source, new ItemEdits(state, edited, null, null, [], approved.ToHashSet(), added))["related"] is SourceSequence related
            ? related.Items.Cast<SourceMapping>().ToList()
            : [];

    private static string Url(SourceMapping entry) => ((SourceScalar)entry["webUrl"]!).Value;

    [Theory]
    [InlineData(WorkflowState.Published, true)]
    [InlineData(WorkflowState.Published, false)]
    [InlineData(WorkflowState.Ready, true)]
    public void An_approved_added_link_follows_the_sources_approved_entries(WorkflowState state, bool edited)
    {
        var source = Source("https://a.example/1");
        var merged = Added("https://beta.example/story");

        var related = Related(source, state, edited, ["https://a.example/1", merged.Identity], merged);

        Assert.Equal(["https://a.example/1", "https://beta.example/story"], related.Select(Url));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_moved_links_new_address_is_written_in_the_place_of_the_entry_it_replaced(bool published)
    {
        var source = Source("https://a.example/old", "https://a.example/2", "https://a.example/3");
        var replacement = Added("https://a.example/new", position: 0);
        var merged = Added("https://beta.example/story", position: 3);

        var related = Related(source, published ? WorkflowState.Published : WorkflowState.Ready, true,
            ["https://a.example/2", "https://a.example/3", replacement.Identity, merged.Identity], merged, replacement);

        Assert.Equal(["https://a.example/new", "https://a.example/2", "https://a.example/3", "https://beta.example/story"], related.Select(Url));
    }

    [Fact]
    public void An_approved_added_link_is_written_when_the_sources_own_entry_is_not_approved()
    {
        var merged = Added("https://beta.example/story");

        Assert.Equal(["https://beta.example/story"], Related(Source("https://a.example/1"), WorkflowState.Published, true, [merged.Identity], merged).Select(Url));
    }

    [Fact]
    public void A_pending_or_rejected_added_link_is_never_written()
    {
        var merged = Added("https://beta.example/story");

        Assert.Equal(["https://a.example/1"], Related(Source("https://a.example/1"), WorkflowState.Published, true, ["https://a.example/1"], merged).Select(Url));
        Assert.Empty(Related(Source(), WorkflowState.Published, true, [], merged));
    }

    [Fact]
    public void An_added_link_whose_url_the_source_lists_is_written_once_as_the_source_wrote_it()
    {
        var source = Source("https://BETA.example:443/story");
        var merged = Added("https://beta.example/story");

        var related = Related(source, WorkflowState.Published, true, [merged.Identity], merged);

        Assert.Equal(["https://BETA.example:443/story"], related.Select(Url));
    }

    [Fact]
    public void An_item_without_related_gets_the_list_with_the_added_entry_as_text_every_reader_reads_alike()
    {
        var merged = Added("https://beta.example/story");

        var entry = Assert.Single(Related(Source(), WorkflowState.Published, true, [merged.Identity], merged));

        // Text as quoted strings: a YAML 1.1 reader must not make "Yes: 2024" or the date anything else.
        Assert.All(new[] { "title", "excerpt", "publishedDateTime", "webUrl" }, key => Assert.False(((SourceScalar)entry[key]!).IsPlain, key));
        Assert.Equal(("Yes: 2024", "<em>Harbour</em> reopens", "2026-04-02T09:00:00Z", "69"),
            (((SourceScalar)entry["title"]!).Value, ((SourceScalar)entry["excerpt"]!).Value, ((SourceScalar)entry["publishedDateTime"]!).Value, ((SourceScalar)entry["quality"]!).Value));
        Assert.Equal("beta", ((SourceScalar)((SourceMapping)entry["provider"]!)["name"]!).Value);
        Assert.Equal("https://img.example/1.jpg", ((SourceScalar)((SourceMapping)((SourceSequence)entry["images"]!).Items[0])["url"]!).Value);
    }
}
