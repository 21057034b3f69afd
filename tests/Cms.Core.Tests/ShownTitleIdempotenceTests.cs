using Cms.Core.Items;

namespace Cms.Core.Tests;

// REVIEW7 #6: a shown title is what the page shows and what the export writes (which applies
// ShownTitle again to titles already shown, a merged item's link title): a second pass must change
// nothing, whatever order of marks, joiners and viramas arrived.
public sealed class ShownTitleIdempotenceTests
{
    private static string Hex(string t) => string.Join(" ", t.EnumerateRunes().Select(r => r.Value.ToString("X4")));

    [Theory]
    [InlineData("\u0301\u094D\u200C\u034F\uFE0F\U000E0020")] // a mark before a virama: NFC reorders them
    [InlineData("\u0628\u0301\u200B\u094D\u200D\u202E")]
    [InlineData("a\u0301\u200B\u0316")] // removing the ZWSP leaves the marks out of canonical order
    public void Shown_title_of_a_shown_title_is_the_same(string received)
    {
        var once = ItemParser.ShownTitle(received);

        Assert.True(once == ItemParser.ShownTitle(once), $"[{Hex(received)}] -> [{Hex(once)}] -> [{Hex(ItemParser.ShownTitle(once))}]");
        Assert.True(once.IsNormalized(System.Text.NormalizationForm.FormC), $"[{Hex(once)}] is not NFC");
    }

    [Fact]
    public void Shown_title_is_idempotent_on_random_text_of_marks_joiners_viramas_selectors_and_tags()
    {
        string[] pool = ["a", " ", "\u200D", "\u200C", "\u200B", "\u094D", "\u0915", "\u0628", "\u0627", "\u064E", "\uFE0F", "\uFE0E", "\uFE00", "\u034F",
            "\u2764", "1", "\u20E3", "\U0001F468", "\U0001F469", "\U0001F3F4", "\U000E0067", "\U000E0062", "\U000E0073", "\U000E0063", "\U000E0074",
            "\U000E007F", "\U000E0020", "\u0301", "\u0316", "\u00AD", "\u202E", "\u00A0", "\u2800"];
        var random = new Random(7);
        var failures = new List<string>();
        for (var n = 0; n < 50_000 && failures.Count < 5; n++)
        {
            var s = string.Concat(Enumerable.Range(0, random.Next(1, 9)).Select(_ => pool[random.Next(pool.Length)]));
            var once = ItemParser.ShownTitle(s);
            var twice = ItemParser.ShownTitle(once);
            if (once != twice || !once.IsNormalized(System.Text.NormalizationForm.FormC))
            {
                failures.Add($"[{Hex(s)}] -> [{Hex(once)}] -> [{Hex(twice)}]");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
