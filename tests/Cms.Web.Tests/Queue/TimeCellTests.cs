using Cms.Web.Infrastructure;

namespace Cms.Web.Tests.Queue;

// The queue's date cells are built from the digits (Display.TimeCell): they must read exactly what
// the format-based helpers write, for any instant, including padded years and midnight.
public sealed class TimeCellTests
{
    public static TheoryData<DateTimeOffset> Instants() =>
    [
        new DateTimeOffset(2024, 3, 9, 14, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero),
        new DateTimeOffset(2025, 1, 1, 0, 0, 7, TimeSpan.FromHours(5.5)),
        new DateTimeOffset(999, 7, 4, 9, 5, 3, TimeSpan.Zero),
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
    ];

    [Theory]
    [MemberData(nameof(Instants))]
    public void A_time_cell_reads_what_the_format_helpers_write(DateTimeOffset at) =>
        Assert.Equal(
            $"<time datetime=\"{Display.MachineDateTime(at)}\"><span>{Display.Date(at)}</span> {Display.Time(at)}</time>",
            Display.TimeCell(at).Value);

    [Fact]
    public void A_missing_time_writes_an_empty_cell() =>
        Assert.Equal("<time datetime=\"\"><span></span> </time>", Display.TimeCell(null).Value);
}
