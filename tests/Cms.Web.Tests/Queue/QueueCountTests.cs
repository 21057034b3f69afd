using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// Honest counts when nothing may be counted by the database: a budget below zero reads no match of a
// filter and ExactStateRows 0 counts no state whole, so every filtered count comes from what the page
// itself shows. Such a count is exact when the page holds the whole view, a lower bound ("50+") when
// there are more pages, and never an estimate above an empty list.
public sealed class QueueCountTests(QueueCountTests.UncountedApp app) : WebTest(app), IClassFixture<QueueCountTests.UncountedApp>
{
    public sealed class UncountedApp : AppFixture
    {
        protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
        {
            ["Queue:CountCostBudget"] = "-1",
            ["Queue:ExactStateRows"] = "0",
        };
    }

    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task An_uncounted_state_shows_at_least_the_rows_of_the_page_and_says_so()
    {
        await ImportAsync([.. Enumerable.Range(0, 60).Select(n => new TestItem { Title = $"Many {n}", Category = "many" + _tag })]);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category=many{_tag}");

        Assert.Equal(50, QueuePage.Rows(html).Count);
        Assert.Equal("50+", QueuePage.Count(html, "New"));
        // No item is Ready at all, so that count is exact whatever the filter.
        Assert.Equal("0", QueuePage.Count(html, "Ready"));
        Assert.Contains("“N+”: at least N", Html.Parse(html).One("#count-note").TextContent);
        Assert.DoesNotContain("about", QueuePage.Count(html, "New"));
    }

    [Fact]
    public async Task A_view_whose_first_page_holds_every_match_is_counted_exactly()
    {
        await ImportAsync([.. Enumerable.Range(0, 3).Select(n => new TestItem { Title = $"Few {n}", Category = "few" + _tag, Quality = 50 + n })]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync($"/?View.Category=few{_tag}");

        Assert.Equal("3", QueuePage.Count(filtered, "New"));
        Assert.Null(Html.Parse(filtered).QuerySelector("#count-note"));
    }

    [Theory]
    [InlineData("?View.Category=nonesuch")]
    [InlineData("?View.Q=nothingmatchesthisword")]
    [InlineData("?View.QualityMin=100&View.QualityMax=100")]
    public async Task An_empty_list_never_sits_under_a_non_zero_count(string query)
    {
        await ImportAsync([.. Enumerable.Range(0, 5).Select(n => new TestItem { Title = $"Other {_tag} {n}", Quality = 10 })]);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync("/" + query);

        Assert.Empty(QueuePage.Rows(html));
        Assert.Equal("0", QueuePage.Count(html, "New"));
        Assert.Equal("0", QueuePage.Count(html, "Ready"));
    }
}
