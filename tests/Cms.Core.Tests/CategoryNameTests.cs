using Cms.Core.Items;

namespace Cms.Core.Tests;

// The category key (CategoryNames.Key, the topics' too): Unicode's canonical caseless match (D145),
// the NFD form case-folded, then NFC.
public sealed class CategoryNameTests
{
    // REVIEW11 R11-4: a lower-case letter with no precomposed capital (ǰ, ΐ, ẘ) has a capital that is
    // a base letter and a combining mark (SpecialCasing.txt: 01F0 -> 004A 030C, 0390 -> 0399 0308
    // 0301, 1E98 -> 0057 030A). Folding the NFC form code point by code point left the capital's
    // fold ("j" + U+030C) apart from the precomposed letter: one word, two keys, two categories.
    [Theory]
    [InlineData("ǰournal", "J\u030COURNAL")]
    [InlineData("Διαΐστε", "ΔΙΑΪ\u0301ΣΤΕ")]
    [InlineData("ẘeek", "W\u030AEEK")]
    public void Names_that_differ_only_in_letter_case_have_one_key_when_a_capital_has_no_precomposed_form(string lower, string upper)
    {
        Assert.Equal(CategoryNames.Key(lower), CategoryNames.Key(upper));
    }
}
