using Cms.Application.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Items;

// An excerpt is stored as the sanitizer renders it (HTML). Where the page shows text (a related
// link's card, the history, an excerpt past the page's bound) it shows the text of that HTML,
// decoded once and encoded once; where markup belongs (the excerpt, a revision's excerpt row) the
// sanitized HTML, rendered. Never the HTML source read as text, and never live markup an attacker wrote.
public sealed class ExcerptShownTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private static AngleSharp.Dom.IElement RelatedExcerpt(AngleSharp.Dom.IDocument page, string start) =>
        Assert.Single(page.QuerySelectorAll(".related-link > div.small.text-muted"), d => d.TextContent.StartsWith(start, StringComparison.Ordinal));

    private TestItem WithRelatedExcerpt(string title, string excerpt) => new()
    {
        Title = title + " " + _tag,
        ExtraYaml = ["related:", "  - title: \"R\"", $"    webUrl: \"https://related.example/{title.Replace(' ', '-')}-{_tag}\"", "    excerpt: " + YamlText.Quote(excerpt)],
    };

    // The element's content as the page wrote it.
    private static string Written(string html, string start)
    {
        var at = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, start);
        var open = html.IndexOf('>', at) + 1;
        return html[open..html.IndexOf("</div>", open, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_related_link_card_shows_its_excerpt_as_text_not_as_html_source()
    {
        var item = WithRelatedExcerpt("Related card", "<p><strong>Minister</strong> said &amp; <a href=\"https://more.example/\">more</a></p><p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot;</p>");
        await ImportAsync(item);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{ItemId(item)}");

        var card = RelatedExcerpt(Html.Parse(html), "Minister");
        // Tags dropped, references decoded once: the escaped script is text and stays text.
        Assert.Equal("Minister said & more\n<script>alert(1)</script> \"q\"", card.TextContent);
        Assert.Empty(card.Children);
        // As written (the source view further down shows the file as received): encoded once.
        Assert.Equal("Minister said &amp; more&#xA;&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot;", Written(html, "<div class=\"small text-muted\">Minister"));
    }

    // A row stored before the sanitizer wrote excerpts (or by hand): whatever it holds, the card
    // writes text; nothing in it becomes an element.
    [Fact]
    public async Task A_hostile_related_excerpt_stored_raw_never_becomes_markup_on_the_card()
    {
        var item = new TestItem { Title = "Hostile card " + _tag, Related = [("R", $"https://related.example/hostile-{_tag}")] };
        await ImportAsync(item);
        var id = ItemId(item);
        Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).ExecuteUpdate(u => u.SetProperty(l => l.Excerpt,
            "Raw <img src=x onerror=alert(1)><script>alert(2)</script><style>p{}</style>ok &lt;b&gt;bold&lt;/b&gt; &#x202E;rtl &amp;amp;")));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        var card = RelatedExcerpt(Html.Parse(html), "Raw");
        Assert.Equal("Raw ok <b>bold</b> rtl &amp;", card.TextContent);
        Assert.Empty(card.Children);
        Assert.Equal("Raw ok &lt;b&gt;bold&lt;/b&gt; rtl &amp;amp;", Written(html, "<div class=\"small text-muted\">Raw"));
    }

    // The card's bound applies to the text, after the extraction: the cut never falls in a tag or a
    // reference, and the markup before it does not count.
    [Fact]
    public async Task A_long_related_excerpt_is_clipped_after_its_text_is_taken_from_the_html()
    {
        var text = "Long " + new string('a', 1_990) + " & bcdefgh";
        var item = WithRelatedExcerpt("Long card", "<p><strong>" + text.Replace("&", "&amp;") + "</strong></p>");
        await ImportAsync(item);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{ItemId(item)}");

        Assert.Equal(text[..2_000] + "…", RelatedExcerpt(Html.Parse(html), "Long").TextContent);
    }

    // The sanitizer's rendering can be longer than the import's limit (references, rel attributes):
    // past the page's bound the excerpt is shown as its text, not as its source.
    [Fact]
    public async Task An_excerpt_past_the_page_bound_is_shown_as_its_text()
    {
        var item = new TestItem { Title = "Past the bound " + _tag, Excerpt = "short" };
        await ImportAsync(item);
        var id = ItemId(item);
        var stored = "<p>" + string.Concat(Enumerable.Repeat("x &amp; <a href=\"https://a.example/\" rel=\"noopener noreferrer nofollow\">y</a> ", 400)) + "</p>";
        Assert.True(stored.Length > 20_000);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.Excerpt, stored)));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        var excerpt = Html.Parse(html).One("#excerpt");
        Assert.StartsWith("x & y x & y", excerpt.TextContent);
        Assert.DoesNotContain("<p>", excerpt.TextContent);
        Assert.DoesNotContain("&amp;", excerpt.TextContent);
    }

    // REVIEW9: a row stored before the shape bound (ExcerptHtml.ShapeProblem), 4,400 nested <em>
    // (39,600 characters, within the length bound), cost each item page hundreds of ms to parse:
    // it is shown as its text, as an over-long one is, without building its tree.
    [Fact]
    public async Task A_stored_excerpt_nested_past_the_shape_bound_is_shown_as_its_text()
    {
        var item = new TestItem { Title = "Deep excerpt " + _tag, Excerpt = "short" };
        await ImportAsync(item);
        var id = ItemId(item);
        var stored = string.Concat(Enumerable.Repeat("<em>", 4_400)) + "deep &amp; down" + string.Concat(Enumerable.Repeat("</em>", 4_400));
        Assert.True(stored.Length <= Cms.Core.Items.ExcerptHtml.MaxStoredLength);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.Excerpt, stored)));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        var excerpt = Html.Parse(html).One("#excerpt");
        Assert.Equal("deep & down", excerpt.TextContent.Trim());
        Assert.Empty(excerpt.QuerySelectorAll("em"));
    }

    [Fact]
    public async Task A_revisions_excerpt_row_shows_both_excerpts_rendered_not_as_html_source()
    {
        var item = new TestItem { Title = "Revision " + _tag, Excerpt = "<p>Old <strong>a</strong> &amp; b</p>" };
        await ImportAsync(item);
        var id = ItemId(item);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(s => s.SetProperty(i => i.EditedAt, DateTimeOffset.UtcNow).SetProperty(i => i.EditedBy, "someone")));
        var report = await Corpus.ImportAsync(Factory.Services, (item with { Excerpt = "<p>New <strong>c</strong> &amp; <script>alert(1)</script>d</p>" }).ToYaml());
        Assert.Equal(1, report.Revisions);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        var row = Html.Parse(html).One("#revision-table tr[data-field=excerpt]");
        var current = row.One("td.revision-current");
        var incoming = row.One("td.revision-incoming");
        Assert.Equal("Old a & b", current.TextContent);
        Assert.Equal("New c & d", incoming.TextContent);
        Assert.Equal("a", current.One("strong").TextContent);
        Assert.Equal("c", incoming.One("strong").TextContent);
        Assert.Empty(incoming.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task The_history_shows_an_excerpt_change_as_text()
    {
        var item = new TestItem { Title = "History " + _tag, Excerpt = "<p>Now <strong>bold</strong> &amp; co</p>" };
        await ImportAsync(item);
        var id = ItemId(item);
        // As an older rule stored it: the re-read records the change, before and after, as HTML.
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.Excerpt, "<p>Then <b>bold</b> &amp; co</p>")));
        using (var scope = Factory.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<StoredTextReread>().RunAsync(CancellationToken.None)).Value!.Changed >= 1);
        }
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        var change = Html.Parse(html).One("#history tr[data-field=excerpt]");
        Assert.Equal("Then bold & co", change.One("td.before").TextContent);
        Assert.Equal("Now bold & co", change.One("td.after").TextContent);
    }
}
