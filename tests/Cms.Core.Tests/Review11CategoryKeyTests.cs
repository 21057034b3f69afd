using Cms.Core.Items;

namespace Cms.Core.Tests;

// REVIEW11 evidence: CategoryNames.Key folds the NFC name code point by code point (simple case
// folding) and compares the result as it stands. A lower-case letter with no precomposed capital
// (ǰ, ΐ) has a capital that is a base letter and a combining mark; NFC keeps those apart, the fold
// of the capital is then "j" + U+030C, not the precomposed ǰ, so the two spellings of one word get
// two keys and become two categories. Unicode's canonical caseless match (D145) folds the NFD
// form, which gives both the same key.
public sealed class Review11CategoryKeyTests
{
    [Theory]
    // The upper case of each (SpecialCasing.txt: 01F0 -> 004A 030C, 0390 -> 0399 0308 0301,
    // 1E98 -> 0057 030A), as NFC leaves it.
    [InlineData("ǰournal", "J\u030COURNAL")]                 // U+01F0 and its upper case J + COMBINING CARON
    [InlineData("Διαΐστε", "ΔΙΑΪ\u0301ΣΤΕ")]                  // U+0390 and its upper case Ϊ + COMBINING ACUTE
    [InlineData("ẘeek", "W\u030AEEK")]                       // U+1E98 and its upper case W + COMBINING RING ABOVE
    public void Names_that_differ_only_in_letter_case_have_one_key_when_a_capital_has_no_precomposed_form(string lower, string upper)
    {
        Assert.Equal(CategoryNames.Key(lower), CategoryNames.Key(upper));
    }
}
