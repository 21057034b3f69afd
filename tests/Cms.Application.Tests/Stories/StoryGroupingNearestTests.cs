using Cms.Application.Stories;

namespace Cms.Application.Tests.Stories;

// The cap on rows one search key brings (REVIEW5 #3): a key common all week keeps the rows nearest
// to the item's time, half before it and half after, not the window's oldest.
public sealed class StoryGroupingNearestTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.Parse("2026-06-10T12:00:00Z");

    [Fact]
    public void A_busy_key_keeps_the_rows_nearest_in_time_not_the_oldest_of_the_window()
    {
        var window = TimeSpan.FromHours(72);
        // 1,100 rows over the 72 hours before T (one every 3 minutes, the last at T - 2 min), the
        // telling at T - 1 min, 10 rows after T, and one row outside the window on each side.
        var rows = new List<(DateTimeOffset At, long Id)> { (T - window - TimeSpan.FromMinutes(1), 1) };
        rows.AddRange(Enumerable.Range(0, 1100).Select(n => (T - TimeSpan.FromMinutes(2 + 3 * (1099 - n)), 10L + n)));
        rows.Add((T - TimeSpan.FromMinutes(1), 5000));
        rows.AddRange(Enumerable.Range(0, 10).Select(n => (T + TimeSpan.FromMinutes(1 + n), 6000L + n)));
        rows.Add((T + window + TimeSpan.FromMinutes(1), 7000));

        var (start, split, end, lower, upper) = StoryGrouping.Nearest(rows, T, window);
        var taken = rows[start..end].Select(r => r.Id).ToList();

        Assert.Contains(5000L, taken);
        Assert.Equal(500, split - start);
        Assert.Equal(Enumerable.Range(0, 10).Select(n => 6000L + n), rows[split..end].Select(r => r.Id));
        Assert.Equal(rows.Skip(1).Take(1111).Select(r => r.Id), rows[lower..upper].Select(r => r.Id).Take(1111));
        Assert.DoesNotContain(1L, taken);
        Assert.DoesNotContain(7000L, taken);
        // The cut rows are the oldest of the window.
        Assert.All(rows[lower..start], r => Assert.True(r.At < rows[start].At));
    }
}
