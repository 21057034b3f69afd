using System.Text.RegularExpressions;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// A filtered view whose capped count the planner prices over Queue:CountCostBudget shows estimates,
// and the page says so. A budget below zero makes every filtered count an estimate, whatever the data.
public sealed partial class QueueCountTests(QueueCountTests.EstimatingApp app) : WebTest(app), IClassFixture<QueueCountTests.EstimatingApp>
{
    public sealed class EstimatingApp : AppFixture
    {
        protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Queue:CountCostBudget"] = "-1" };
    }

    [GeneratedRegex("""<span class="count-new">about \d+</span>""")]
    private static partial Regex EstimatedNew();

    [Fact]
    public async Task Counts_too_costly_to_read_are_shown_as_estimates_and_marked_as_such()
    {
        await ImportAsync([.. Enumerable.Range(0, 3).Select(n => new TestItem { Category = "news", Quality = 50 + n })]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.Category=news");
        var unfiltered = await editor.GetStringAsync("/");

        Assert.Matches(EstimatedNew(), filtered);
        // No item is Ready at all, so that count is exact even when the others are estimated.
        Assert.Contains("""<span class="count-ready">0</span>""", filtered);
        Assert.Contains("estimated by the database for this filter, not counted", filtered);
        Assert.Contains("""<span class="count-new">3</span>""", unfiltered);
        Assert.DoesNotContain("id=\"count-note\"", unfiltered);
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

        Assert.Contains("""<span class="count-new">200&#x2B;</span>""", filtered);
        Assert.Contains("counting stopped at 200", filtered);
        Assert.Contains("""<span class="count-new">2</span>""", narrow);
        Assert.DoesNotContain("id=\"count-note\"", narrow);
    }
}
