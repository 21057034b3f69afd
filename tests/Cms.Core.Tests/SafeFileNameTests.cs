using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class SafeFileNameTests
{
    [Theory]
    [InlineData("..\\..\\x.txt", "x.txt")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("a/b/c.txt", "c.txt")]
    [InlineData("C:\\Users\\me\\001_ab.txt", "001_ab.txt")]
    [InlineData("/absolute/001_ab.yml", "001_ab.yml")]
    [InlineData("mixed/sep\\001_ab.md", "001_ab.md")]
    [InlineData("001_6f095c37200f6da0.txt", "001_6f095c37200f6da0.txt")]
    public void Only_the_last_segment_of_a_path_is_kept(string entryName, string expected)
    {
        Assert.Equal(expected, SafeFileName.From(entryName));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../..")]
    [InlineData("folder/")]
    [InlineData("folder\\")]
    [InlineData(" . . ")]
    [InlineData("\0\u202E\u200B")]
    [InlineData("<>:\"|?*")]
    public void A_name_with_nothing_safe_left_becomes_the_fallback(string? entryName)
    {
        Assert.Equal("item.txt", SafeFileName.From(entryName));
        Assert.Equal("other.yml", SafeFileName.From(entryName, "other.yml"));
    }

    [Theory]
    [InlineData("a\0b.txt", "ab.txt")]
    [InlineData("a\u0001\u001F\u007F\u0085b.txt", "ab.txt")]
    [InlineData("line\nbreak\r\ttab.txt", "linebreaktab.txt")]
    [InlineData("evil\u202Etxt.exe", "eviltxt.exe")]
    [InlineData("zero\u200Bwidth\uFEFF.txt", "zerowidth.txt")]
    [InlineData("a<b>c:d\"e|f?g*h.txt", "abcdefgh.txt")]
    public void Control_invisible_and_windows_invalid_characters_are_dropped(string entryName, string expected)
    {
        Assert.Equal(expected, SafeFileName.From(entryName));
    }

    [Theory]
    [InlineData("name.txt.", "name.txt")]
    [InlineData("name.txt . .", "name.txt")]
    [InlineData("  name.txt", "name.txt")]
    [InlineData("...hidden", "...hidden")]
    public void Trailing_dots_and_spaces_and_leading_spaces_are_dropped(string entryName, string expected)
    {
        Assert.Equal(expected, SafeFileName.From(entryName));
    }

    [Theory]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("con", "_con")]
    [InlineData("nul.tar.gz", "_nul.tar.gz")]
    [InlineData("dir/AUX.md", "_AUX.md")]
    [InlineData("PRN .txt", "_PRN .txt")]
    [InlineData("COM1.yml", "_COM1.yml")]
    [InlineData("lpt9.txt", "_lpt9.txt")]
    [InlineData("COM\u00B9.txt", "_COM\u00B9.txt")]
    [InlineData("CONSOLE.txt", "CONSOLE.txt")]
    [InlineData("COM10.txt", "COM10.txt")]
    [InlineData("x.CON", "x.CON")]
    public void Reserved_windows_device_names_are_prefixed_whatever_their_extension(string entryName, string expected)
    {
        Assert.Equal(expected, SafeFileName.From(entryName));
    }

    [Fact]
    public void A_very_long_name_is_cut_to_the_maximum_keeping_its_extension()
    {
        var name = SafeFileName.From("dir/" + new string('a', 5_000) + ".txt");

        Assert.Equal(SafeFileName.MaxBytes, name.Length);
        Assert.EndsWith("aaa.txt", name);
    }

    [Fact]
    public void A_name_is_never_cut_inside_a_character()
    {
        // 196 bytes for the stem: a 4-byte rocket fits after 192 letters, not after 193.
        Assert.Equal(new string('a', 193) + ".txt", SafeFileName.From(new string('a', 193) + string.Concat(Enumerable.Repeat("🚀", 10)) + ".txt"));
        Assert.Equal(new string('a', 192) + "🚀.txt", SafeFileName.From(new string('a', 192) + string.Concat(Enumerable.Repeat("🚀", 10)) + ".txt"));
    }

    [Fact]
    public void A_name_is_limited_in_utf8_bytes_not_characters()
    {
        // 200 CJK characters are 600 bytes: more than a Linux file name may hold (255).
        var name = SafeFileName.From(new string('東', 200) + ".txt");

        Assert.Equal(new string('東', 65) + ".txt", name);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(name) <= SafeFileName.MaxBytes);
    }

    [Fact]
    public void A_reserved_name_left_by_shortening_is_prefixed_and_stays_within_the_maximum()
    {
        Assert.Equal("_CON.txt", SafeFileName.From("CON" + new string(' ', 300) + "x.txt"));

        var name = SafeFileName.From("CON." + new string('x', 196));
        Assert.Equal(SafeFileName.MaxBytes, name.Length);
        Assert.StartsWith("_CON.", name);
    }

    [Fact]
    public void A_long_name_without_an_extension_is_cut_to_the_maximum()
    {
        Assert.Equal(new string('b', SafeFileName.MaxBytes), SafeFileName.From(new string('b', 1_000)));
    }

    [Fact]
    public void Unicode_letters_are_kept()
    {
        Assert.Equal("Новости_東京_café 🚀.txt", SafeFileName.From("zip/Новости_東京_café 🚀.txt"));
    }
}
