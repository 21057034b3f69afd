using System.Text.RegularExpressions;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

public sealed partial class QueueFilterTests : WebTest
{
    private HttpClient _editor = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ImportTextsAsync(
            Item("Solar power surges in Europe", "Panels everywhere.", "news", "Metro", "metro.co.uk", "2024-01-10T08:00:00Z", 80, 5, ["Energy", "Climate"], related: 1),
            Item("Выборы в Москве прошли спокойно", "Избиратели пришли на участки.", "politics", "Новая газета", "novayagazeta.ru", "2024-02-20T08:00:00Z", 30, 50, ["Elections"], related: 0),
            Item("Markets rally", "Stocks up.", "news", "Reuters", "reuters.com", "2023-12-01T08:00:00Z", 55, -1, ["Markets", "Climate"], related: 1),
            Item("Already out", "Old.", "news", "Reuters", "reuters.com", "2024-03-01T08:00:00Z", 90, 1, [], related: 0, published: true));
        await using var db = TestPostgres.Context(ConnectionString);
        var markets = await db.Items.Include(i => i.RelatedLinks).SingleAsync(i => i.Title == "Markets rally");
        markets.RelatedLinks.Single().Decision = LinkDecision.Approved;
        markets.SourceChanged = true;
        await db.SaveChangesAsync();
        _editor = await SignedInAsync(Roles.Editor);
    }

    private static string Item(string title, string excerpt, string category, string provider, string domain, string date, int quality, int heat, string[] topics, int related, bool published = false) => $"""
        ---
        category: {category}
        title: "{title}"
        excerpt: "{excerpt}"
        publishedDateTime: {date}
        originalUrl: "https://news.example/{Uri.EscapeDataString(title)}"
        quality: {quality}
        heat: {heat}
        published: {(published ? "true" : "false")}
        provider:
          name: "{provider}"
          domain: {domain}
        topics: [{string.Join(", ", topics.Select(t => $"\"{t}\""))}]
        related:{(related == 0 ? " []" : "\n  - title: \"Other coverage\"\n    webUrl: \"https://other.example/x\"")}
        ---
        """;

    [GeneratedRegex("""<tr data-item-id="\d+">\s*<td><input [^>]*/></td>\s*<td>\s*<a [^>]*>([^<]+)</a>""")]
    private static partial Regex RowTitle();

    private async Task<List<string>> TitlesAsync(string query)
    {
        var html = await _editor.GetStringAsync("/" + query);
        return RowTitle().Matches(html).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
    }

    [Fact]
    public async Task The_default_view_shows_unpublished_items_newest_first_with_counts_per_state()
    {
        var html = await _editor.GetStringAsync("/");

        Assert.Equal(["Выборы в Москве прошли спокойно", "Solar power surges in Europe", "Markets rally"], await TitlesAsync(""));
        Assert.Contains("""<span class="count-new">3</span>""", html);
        Assert.Contains("""<span class="count-published">1</span>""", html);
    }

    [Theory]
    [InlineData("?View.State=Published", new[] { "Already out" })]
    [InlineData("?View.Category=news", new[] { "Solar power surges in Europe", "Markets rally" })]
    [InlineData("?View.Provider=metro.co.uk", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Provider=Новая газета", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Topic=climate", new[] { "Solar power surges in Europe", "Markets rally" })]
    [InlineData("?View.Topic=Climate&View.Topic=Energy&View.TopicMode=all", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Topic=Elections&View.Topic=Climate&View.TopicMode=any", new[] { "Выборы в Москве прошли спокойно", "Solar power surges in Europe", "Markets rally" })]
    [InlineData("?View.Topic=Elections&View.Topic=Climate&View.TopicMode=all", new string[0])]
    [InlineData("?View.QualityMin=50&View.QualityMax=90", new[] { "Solar power surges in Europe", "Markets rally" })]
    [InlineData("?View.From=2024-01-01&View.To=2024-01-31", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Undecided=true", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.SourceChanged=true", new[] { "Markets rally" })]
    [InlineData("?View.Q=surge", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Q=panels", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Q=выборы", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Q=избиратели", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Category=news&View.QualityMin=60&View.Topic=Climate", new[] { "Solar power surges in Europe" })]
    [InlineData("?View.Sort=quality", new[] { "Solar power surges in Europe", "Markets rally", "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Sort=heat", new[] { "Выборы в Москве прошли спокойно", "Solar power surges in Europe", "Markets rally" })]
    public async Task Filters_and_sorts_select_exactly_the_matching_items(string query, string[] expected)
    {
        Assert.Equal(expected, await TitlesAsync(query));
    }

    [Fact]
    public async Task A_filtered_view_counts_its_own_matches_per_state()
    {
        var html = await _editor.GetStringAsync("/?View.Category=news");

        Assert.Contains("""<span class="count-new">2</span>""", html);
        Assert.Contains("""<span class="count-published">1</span>""", html);
        Assert.Contains("""<span class="count-ready">0</span>""", html);
    }

    [Fact]
    public async Task A_quality_bound_out_of_range_is_refused_with_a_message()
    {
        var html = await _editor.GetStringAsync("/?View.QualityMin=-5");

        Assert.Contains("Quality bounds go from 0 to 100.", html);
        Assert.Empty(RowTitle().Matches(html));
    }
}
