using System.Text.RegularExpressions;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// Both tests page and count the whole queue, so each has a database of its own.
public sealed partial class QueuePagingTests : WebTest
{
    [GeneratedRegex("""<tr data-item-id="(\d+)">""")]
    private static partial Regex RowId();

    [GeneratedRegex("""id="next-page" href="([^"]+)""")]
    private static partial Regex NextLink();

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
}
