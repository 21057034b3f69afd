using System.Text.RegularExpressions;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

public sealed partial class QueuePagingTests : WebTest
{
    [GeneratedRegex("""<tr data-item-id="(\d+)">""")]
    private static partial Regex RowId();

    [GeneratedRegex("""id="next-page" href="([^"]+)""")]
    private static partial Regex NextLink();

    private static string Item(int n, string date) => $"---\ntitle: \"Item {n}\"\noriginalUrl: \"https://e.com/{n}\"\npublishedDateTime: {date}\nquality: {n % 100}\n---\n";

    [Fact]
    public async Task Keyset_pages_cover_every_item_once_and_do_not_shift_when_new_items_arrive()
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // Pairs share a timestamp, so the id tie-breaker is exercised.
        await ImportTextsAsync(Enumerable.Range(0, 120).Select(n => Item(n, start.AddHours(n / 2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"))).ToArray());
        var editor = await SignedInAsync(Roles.Editor);

        var first = await editor.GetStringAsync("/");
        var firstIds = RowId().Matches(first).Select(m => m.Groups[1].Value).ToList();
        // A newer item arrives while the editor reads page one.
        await ImportTextsAsync(Item(999, "2025-01-01T00:00:00Z"));
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
        await ImportTextsAsync(Enumerable.Range(0, 205).Select(n => Item(n, "2024-01-01T00:00:00Z")).ToArray());
        var editor = await SignedInAsync(Roles.Editor);

        var filtered = await editor.GetStringAsync("/?View.QualityMin=0");
        var unfiltered = await editor.GetStringAsync("/");

        // Razor encodes "+" as &#x2B;.
        Assert.Contains("""<span class="count-new">200&#x2B;</span>""", filtered);
        Assert.Contains("""<span class="count-new">205</span>""", unfiltered);
    }
}
