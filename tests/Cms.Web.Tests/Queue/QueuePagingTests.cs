using System.Text.RegularExpressions;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

// These tests page and count the whole queue, so each has a database of its own.
public sealed partial class QueuePagingTests : WebTest
{
    [GeneratedRegex("""<tr data-item-id="(\d+)">""")]
    private static partial Regex RowId();

    [GeneratedRegex("""id="next-page" href="([^"]+)""")]
    private static partial Regex NextLink();

    [GeneratedRegex("""id="previous-page" href="([^"]+)""")]
    private static partial Regex PreviousLink();

    [GeneratedRegex("""id="first-page" href="([^"]+)""")]
    private static partial Regex FirstLink();

    private static List<string> Ids(string html) => RowId().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static string Href(Regex link, string html) => System.Net.WebUtility.HtmlDecode(link.Match(html).Groups[1].Value);

    private static TestItem Item(int n, DateTimeOffset date) => new() { Title = $"Item {n}", PublishedDateTime = date, Quality = n % 100 };

    [Fact]
    public async Task Keyset_pages_cover_every_item_once_and_do_not_shift_when_new_items_arrive()
    {
        var start = TestItem.Utc(2024, 1, 1);
        // Pairs share a timestamp, so the id tie-breaker is exercised.
        await ImportAsync([.. Enumerable.Range(0, 120).Select(n => Item(n, start.AddHours(n / 2)))]);
        var editor = await SignedInAsync(Roles.Editor);

        var first = await editor.GetStringAsync("/");
        var firstIds = RowId().Matches(first).Select(m => m.Groups[1].Value).ToList();
        // A newer item arrives while the editor reads page one.
        await ImportAsync(Item(999, TestItem.Utc(2025, 1, 1)));
        var second = await editor.GetStringAsync(System.Net.WebUtility.HtmlDecode(NextLink().Match(first).Groups[1].Value));
        var secondIds = RowId().Matches(second).Select(m => m.Groups[1].Value).ToList();
        var third = await editor.GetStringAsync(System.Net.WebUtility.HtmlDecode(NextLink().Match(second).Groups[1].Value));
        var thirdIds = RowId().Matches(third).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(50, firstIds.Count);
        Assert.Equal(50, secondIds.Count);
        Assert.Equal(20, thirdIds.Count);
        Assert.DoesNotMatch(NextLink(), third);
        var all = firstIds.Concat(secondIds).Concat(thirdIds).ToList();
        Assert.Equal(120, all.Distinct().Count());
        Assert.DoesNotContain(ItemId("Item 999").ToString(), all);
    }

    [Fact]
    public async Task Counts_of_a_broad_filtered_view_stop_at_the_cap()
    {
        await ImportAsync([.. Enumerable.Range(0, 205).Select(n => Item(n, TestItem.Utc(2024, 1, 1)))]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.QualityMin=0");
        var unfiltered = await editor.GetStringAsync("/");

        // Razor encodes "+" as &#x2B;.
        Assert.Contains("""<span class="count-new">200&#x2B;</span>""", filtered);
        Assert.Contains("""<span class="count-new">205</span>""", unfiltered);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?View.Sort=quality")]
    [InlineData("?View.Sort=heat")]
    public async Task Previous_and_first_page_lead_back_to_the_pages_seen_going_forward(string view)
    {
        var start = TestItem.Utc(2024, 1, 1);
        // Shared dates, qualities and heats (and some without), so every sort leans on the id tie-breaker and NULLs.
        await ImportAsync([.. Enumerable.Range(0, 130).Select(n => new TestItem
        {
            Title = $"Item {n}", PublishedDateTime = n % 10 == 0 ? null : start.AddHours(n / 3), Quality = n % 7, Heat = n % 9 == 0 ? null : n % 4,
        })]);
        var editor = await SignedInAsync(Roles.Editor);

        var first = await editor.GetStringAsync("/" + view);
        var second = await editor.GetStringAsync(Href(NextLink(), first));
        var third = await editor.GetStringAsync(Href(NextLink(), second));
        var backToSecond = await editor.GetStringAsync(Href(PreviousLink(), third));
        var backToFirst = await editor.GetStringAsync(Href(PreviousLink(), backToSecond));
        var firstAgain = await editor.GetStringAsync(Href(FirstLink(), third));

        Assert.DoesNotMatch(PreviousLink(), first);
        Assert.DoesNotMatch(FirstLink(), first);
        Assert.Equal(30, Ids(third).Count);
        Assert.Equal(Ids(second), Ids(backToSecond));
        Assert.Matches(NextLink(), backToSecond);
        Assert.Matches(FirstLink(), backToSecond);
        Assert.Equal(Ids(first), Ids(backToFirst));
        Assert.DoesNotMatch(PreviousLink(), backToFirst);
        Assert.Equal(Ids(first), Ids(firstAgain));
    }

    [Fact]
    public async Task Previous_from_the_second_page_shows_a_whole_first_page_when_items_above_were_removed()
    {
        await ImportAsync([.. Enumerable.Range(0, 60).Select(n => Item(n, TestItem.Utc(2024, 1, 1).AddHours(n)))]);
        var editor = await SignedInAsync(Roles.Editor);
        var first = await editor.GetStringAsync("/");
        var second = await editor.GetStringAsync(Href(NextLink(), first));
        // Ten items of the first page leave the queue (rejected elsewhere) while the editor reads page two.
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var gone = Ids(first).Take(10).Select(long.Parse).ToList();
            await db.Items.Where(i => gone.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.State, Cms.Core.Items.WorkflowState.Rejected));
        }

        var back = await editor.GetStringAsync(Href(PreviousLink(), second));

        // Not the 40 items left above page two, but the first page, full, with nothing before it.
        Assert.Equal(50, Ids(back).Count);
        Assert.DoesNotMatch(PreviousLink(), back);
        Assert.DoesNotMatch(FirstLink(), back);
    }
}
