using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

// These tests page and count the whole queue, so each has a database of its own.
public sealed class QueuePagingTests : WebTest
{
    private const string NextLink = "next-page";
    private const string PreviousLink = "previous-page";
    private const string FirstLink = "first-page";

    private static List<string> Ids(string html) => QueuePage.Ids(html).Select(i => i.ToString()).ToList();

    // The link's target; fails when the page has no such link.
    private static string Href(string link, string html) => Html.Href(html, link) ?? throw new Xunit.Sdk.XunitException($"no #{link} on the page");

    private static bool Has(string link, string html) => Html.Href(html, link) is not null;

    private static TestItem Item(int n, DateTimeOffset date) => new() { Title = $"Item {n}", PublishedDateTime = date, Quality = n % 100 };

    [Fact]
    public async Task Keyset_pages_cover_every_item_once_and_do_not_shift_when_new_items_arrive()
    {
        var start = TestItem.Utc(2024, 1, 1);
        // Pairs share a timestamp, so the id tie-breaker is exercised.
        await ImportAsync([.. Enumerable.Range(0, 120).Select(n => Item(n, start.AddHours(n / 2)))]);
        var editor = await SignedInAsync(Roles.Editor);

        var first = await editor.GetStringAsync("/");
        var firstIds = Ids(first);
        // A newer item arrives while the editor reads page one.
        await ImportAsync(Item(999, TestItem.Utc(2025, 1, 1)));
        var second = await editor.GetStringAsync(Href(NextLink, first));
        var secondIds = Ids(second);
        var third = await editor.GetStringAsync(Href(NextLink, second));
        var thirdIds = Ids(third);

        Assert.Equal(50, firstIds.Count);
        Assert.Equal(50, secondIds.Count);
        Assert.Equal(20, thirdIds.Count);
        Assert.False(Has(NextLink, third));
        var all = firstIds.Concat(secondIds).Concat(thirdIds).ToList();
        Assert.Equal(120, all.Distinct().Count());
        Assert.DoesNotContain(ItemId("Item 999").ToString(), all);
    }

    [Fact]
    public async Task Counts_of_a_filtered_view_with_a_small_match_set_are_exact()
    {
        await ImportAsync([.. Enumerable.Range(0, 205).Select(n => Item(n, TestItem.Utc(2024, 1, 1)))]);
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.QualityMin=0");
        var unfiltered = await editor.GetStringAsync("/");

        // 205 matches span several pages; the state is small enough to be counted whole.
        Assert.Equal("205", QueuePage.Count(filtered, "New"));
        Assert.Equal("205", QueuePage.Count(unfiltered, "New"));
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
        var second = await editor.GetStringAsync(Href(NextLink, first));
        var third = await editor.GetStringAsync(Href(NextLink, second));
        var backToSecond = await editor.GetStringAsync(Href(PreviousLink, third));
        var backToFirst = await editor.GetStringAsync(Href(PreviousLink, backToSecond));
        var firstAgain = await editor.GetStringAsync(Href(FirstLink, third));

        Assert.False(Has(PreviousLink, first));
        Assert.False(Has(FirstLink, first));
        Assert.Equal(30, Ids(third).Count);
        Assert.Equal(Ids(second), Ids(backToSecond));
        Assert.True(Has(NextLink, backToSecond));
        Assert.True(Has(FirstLink, backToSecond));
        Assert.Equal(Ids(first), Ids(backToFirst));
        Assert.False(Has(PreviousLink, backToFirst));
        Assert.Equal(Ids(first), Ids(firstAgain));
    }

    [Fact]
    public async Task Previous_from_the_second_page_shows_a_whole_first_page_when_items_above_were_removed()
    {
        await ImportAsync([.. Enumerable.Range(0, 60).Select(n => Item(n, TestItem.Utc(2024, 1, 1).AddHours(n)))]);
        var editor = await SignedInAsync(Roles.Editor);
        var first = await editor.GetStringAsync("/");
        var second = await editor.GetStringAsync(Href(NextLink, first));
        // Ten items of the first page leave the queue (rejected elsewhere) while the editor reads page two.
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var gone = Ids(first).Take(10).Select(long.Parse).ToList();
            await db.Items.Where(i => gone.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.State, Cms.Core.Items.WorkflowState.Rejected));
        }

        var back = await editor.GetStringAsync(Href(PreviousLink, second));

        // Not the 40 items left above page two, but the first page, full, with nothing before it.
        Assert.Equal(50, Ids(back).Count);
        Assert.False(Has(PreviousLink, back));
        Assert.False(Has(FirstLink, back));
    }
}
