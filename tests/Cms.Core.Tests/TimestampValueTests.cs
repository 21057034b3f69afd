using System.Globalization;
using System.Text.RegularExpressions;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// A YAML 1.1 timestamp's instant is read off the text in place (IMPORT10): the same instant the
// pattern's named groups give, for every shape the pattern takes, and without a Match, its groups
// or a string per part (they were about 5 KiB of each imported file's allocations).
public sealed class TimestampValueTests
{
    // The reading as it was: the pattern's groups, each part parsed from its captured text.
    private static readonly Regex Pattern = new(@"^(?<y>[0-9]{4})-(?<m>[0-9]{2})-(?<d>[0-9]{2})$|^(?<y>[0-9]{4})-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:[Tt]|[ \t]+)(?<H>[0-9]{1,2}):(?<M>[0-9]{2}):(?<S>[0-9]{2})(?:\.(?<f>[0-9]*))?(?:[ \t]*(?<tz>Z|[-+](?<th>[0-9]{1,2})(?::(?<tm>[0-9]{2}))?))?$");

    private static bool ByGroups(string text, out DateTimeOffset value)
    {
        value = default;
        var m = Pattern.Match(text);
        if (!m.Success)
        {
            return false;
        }
        int Part(string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var (year, month, day, hour, minute, second) = (Part("y"), Part("m"), Part("d"), Part("H"), Part("M"), Part("S"));
        var (tzHours, tzMinutes) = (Part("th"), Part("tm"));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || tzHours > 23 || tzMinutes > 59)
        {
            return false;
        }
        var fraction = m.Groups["f"].Value;
        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        var offset = new TimeSpan(tzHours, tzMinutes, 0);
        if (m.Groups["tz"].Value.StartsWith('-'))
        {
            offset = -offset;
        }
        try
        {
            value = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks), offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    // Every shape the pattern has (and some it refuses), each with values at and past the limits.
    private static IEnumerable<string> Shapes()
    {
        string[] dates = ["2001-12-14", "2001-1-4", "2024-02-29", "2023-02-29", "0001-01-01", "0000-01-01", "9999-12-31", "2001-13-01", "2001-12-32", "2001-12-1", "01-12-14"];
        string[] separators = ["T", "t", " ", "\t", "  \t ", "", "x"];
        string[] times = ["21:59:43", "1:02:03", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "12:5:00", "123:00:00"];
        string[] fractions = ["", ".", ".1", ".10", ".123456", ".1234567", ".123456789", ".0000001", ".x"];
        string[] zones = ["", "Z", " Z", "\tZ", "-5", "+5", "-05:00", "+05:30", " -5", "+23:59", "+24", "-5:60", "+0530", "z"];
        foreach (var date in dates)
        {
            yield return date;
            yield return date + "\n";
            foreach (var separator in separators)
            {
                foreach (var time in times)
                {
                    foreach (var fraction in fractions)
                    {
                        foreach (var zone in zones)
                        {
                            yield return date + separator + time + fraction + zone;
                        }
                    }
                }
            }
        }
        yield return "2001-12-14 21:59:43.10 -5\n";
        yield return "2001-12-14T21:59:43Z ";
        yield return "";
    }

    [Fact]
    public void A_timestamp_reads_as_the_same_instant_as_the_patterns_groups_say_for_every_shape()
    {
        var checkedCount = 0;
        var valid = 0;
        foreach (var text in Shapes())
        {
            var expected = ByGroups(text, out var expectedValue);
            var actual = YamlScalars.TryTimestampValue(text, out var actualValue);
            Assert.True(expected == actual, $"'{text}': {expected} by the groups, {actual} read in place");
            Assert.True(expectedValue.UtcTicks == actualValue.UtcTicks && expectedValue.Offset == actualValue.Offset,
                $"'{text}': {expectedValue:O} by the groups, {actualValue:O} read in place");
            checkedCount++;
            valid += actual ? 1 : 0;
        }
        // The set holds both kinds in numbers, so neither side of the comparison is trivial.
        Assert.True(checkedCount > 50_000 && valid > 5_000, $"{checkedCount} shapes, {valid} valid");
    }

    // Less than a Match: the reading as it was allocated about 600 bytes a timestamp (the Match, its
    // groups and capture arrays, a string per part). The bound leaves room for what unoptimized
    // (tier-0) code of the pattern may box before it is compiled again; optimized, it is 0.
    [Fact]
    public void Reading_a_timestamp_allocates_less_than_a_match()
    {
        string[] texts = ["2023-04-14T23:37:00Z", "2001-12-14 21:59:43.10 -5", "2001-12-14", "2001-13-14"];
        foreach (var text in texts)
        {
            YamlScalars.TryTimestampValue(text, out _);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var text in texts)
            {
                YamlScalars.TryTimestampValue(text, out _);
            }
        }
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (100.0 * texts.Length);
        Assert.True(perCall < 100, $"{perCall:F0} bytes a timestamp");
    }
}
