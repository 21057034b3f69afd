using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

// Every test here only reads the queue, so the class imports its four items once and shares them.
public sealed class QueueFilterTests(QueueFilterTests.FourItems app) : WebTest(app), IClassFixture<QueueFilterTests.FourItems>
{
    private readonly HttpClient _editor = app.Editor;

    public sealed class FourItems : AppFixture
    {
        public HttpClient Editor { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await ImportAsync(
                new TestItem
                {
                    Title = "Solar power surges in Europe", Excerpt = "Panels everywhere.", Category = "news", ProviderName = "Metro", ProviderDomain = "metro.co.uk",
                    PublishedDateTime = TestItem.Utc(2024, 1, 10, 8), Quality = 80, Heat = 5, Published = false, Topics = ["Energy", "Climate"], RelatedCount = 1,
                },
                new TestItem
                {
                    Title = "Выборы в Москве прошли спокойно", Excerpt = "Избиратели пришли на участки.", Category = "politics", ProviderName = "Новая газета", ProviderDomain = "novayagazeta.ru",
                    PublishedDateTime = TestItem.Utc(2024, 2, 20, 8), Quality = 30, Heat = 50, Published = false, Topics = ["Elections"], RelatedCount = 0,
                },
                new TestItem
                {
                    Title = "Markets rally", Excerpt = "Stocks up.", Category = "news", ProviderName = "Reuters", ProviderDomain = "reuters.com",
                    PublishedDateTime = TestItem.Utc(2023, 12, 1, 8), Quality = 55, Heat = -1, Published = false, Topics = ["Markets", "Climate"], RelatedCount = 1,
                },
                new TestItem
                {
                    Title = "Already out", Excerpt = "Old.", Category = "news", ProviderName = "Reuters", ProviderDomain = "reuters.com",
                    PublishedDateTime = TestItem.Utc(2024, 3, 1, 8), Quality = 90, Heat = 1, Published = true, Topics = [], RelatedCount = 0,
                });
            await using var db = TestPostgres.Context(ConnectionString);
            var markets = await db.Items.Include(i => i.RelatedLinks).SingleAsync(i => i.Title == "Markets rally");
            markets.RelatedLinks.Single().Decision = LinkDecision.Approved;
            markets.SourceChanged = true;
            await db.SaveChangesAsync();
            // Reading the queue changes nothing, so one editor session serves every test.
            Editor = await SignedInAsync(Roles.Editor);
        }
    }

    private async Task<List<string>> TitlesAsync(string query) => QueuePage.Titles(await _editor.GetStringAsync("/" + query));

    [Fact]
    public async Task The_default_view_shows_unpublished_items_newest_first_with_counts_per_state()
    {
        var html = await _editor.GetStringAsync("/");

        Assert.Equal(["Выборы в Москве прошли спокойно", "Solar power surges in Europe", "Markets rally"], await TitlesAsync(""));
        Assert.Equal("3", QueuePage.Count(html, "New"));
        Assert.Equal("1", QueuePage.Count(html, "Published"));
    }

    [Theory]
    [InlineData("?View.State=Published", new[] { "Already out" })]
    [InlineData("?View.Category=news", new[] { "Solar power surges in Europe", "Markets rally" })]
    [InlineData("?View.Category=NEWS", new[] { "Solar power surges in Europe", "Markets rally" })] // CATEGORY: any case
    [InlineData("?View.Category=Politics", new[] { "Выборы в Москве прошли спокойно" })]
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
    [InlineData("?View.Q=избирателей", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Q=Моск", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Provider=новая", new[] { "Выборы в Москве прошли спокойно" })]
    [InlineData("?View.Provider=REUT", new[] { "Markets rally" })]
    [InlineData("?View.Provider=%25", new string[0])]
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

        Assert.Equal("2", QueuePage.Count(html, "New"));
        Assert.Equal("1", QueuePage.Count(html, "Published"));
        Assert.Equal("0", QueuePage.Count(html, "Ready"));
    }

    [Fact]
    public async Task A_quality_bound_out_of_range_is_refused_with_a_message()
    {
        var html = await _editor.GetStringAsync("/?View.QualityMin=-5");

        Assert.Contains("Quality bounds go from 0 to 100.", html);
        Assert.Empty(QueuePage.Titles(html));
    }
}
