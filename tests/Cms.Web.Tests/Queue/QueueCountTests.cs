using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// A filtered view whose capped count the planner prices over Queue:CountCostBudget shows estimates,
// and the page says so. A budget below zero makes every filtered count an estimate, whatever the data.
public sealed class QueueCountTests(QueueCountTests.EstimatingApp app) : WebTest(app), IClassFixture<QueueCountTests.EstimatingApp>
{
    public sealed class EstimatingApp : AppFixture
    {
        protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Queue:CountCostBudget"] = "-1" };
    }

    [Fact]
    public async Task Counts_too_costly_to_read_are_shown_as_estimates_and_marked_as_such()
    {
        await ImportAsync([.. Enumerable.Range(0, 3).Select(n => new TestItem { Category = "news", Quality = 50 + n })]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.Category=news");
        var unfiltered = await editor.GetStringAsync("/");

        Assert.Matches(@"^about \d+$", QueuePage.Count(filtered, "New"));
        // No item is Ready at all, so that count is exact even when the others are estimated.
        Assert.Equal("0", QueuePage.Count(filtered, "Ready"));
        Assert.Contains("estimated by the database for this filter, not counted", filtered);
        Assert.Equal("3", QueuePage.Count(unfiltered, "New"));
        Assert.Null(Html.Parse(unfiltered).QuerySelector("#count-note"));
    }
}

// The default budget: a count that stops at the cap says so on the page.
public sealed class QueueCappedCountTests : WebTest
{
    [Fact]
    public async Task A_count_that_stopped_at_the_cap_is_marked_as_such()
    {
        await ImportAsync([.. Enumerable.Range(0, 205).Select(n => new TestItem { Title = $"Capped {n}", Quality = n % 100 })]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.QualityMin=0");
        var narrow = await editor.GetStringAsync("/?View.QualityMin=99");

        Assert.Equal("200+", QueuePage.Count(filtered, "New"));
        Assert.Contains("counting stopped at 200", filtered);
        Assert.Equal("2", QueuePage.Count(narrow, "New"));
        Assert.Null(Html.Parse(narrow).QuerySelector("#count-note"));
    }
}
