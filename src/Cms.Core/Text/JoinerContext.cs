using System.Globalization;
using System.Text;

namespace Cms.Core.Text;

// RFC 5892 Appendix A.1 and A.2: where ZERO WIDTH NON-JOINER (U+200C) and ZERO WIDTH JOINER
// (U+200D) are part of a word rather than a disguise. Persian, Urdu and the Indic scripts need them
// inside words ("می‌خواهم", "क्‍ष"); anywhere else they only make two names look alike.
// - ZWJ: only right after a virama (canonical combining class 9).
// - ZWNJ: right after a virama, or between a left- or dual-joining letter and a right- or
//   dual-joining letter, with only transparent marks (Mn, Me) between them and it.
// .NET exposes neither the combining class nor the joining type, so both are tables here: the
// viramas of the Basic Multilingual Plane and the joining types of the Arabic blocks (Arabic,
// Arabic Supplement, Arabic Extended-A), from the Unicode Character Database (ArabicShaping.txt).
// Letters of other joining scripts (Syriac, N'Ko, Mongolian) count as non-joining: ZWNJ there is refused.
public static class JoinerContext
{
    public const char Zwnj = '\u200C';
    public const char Zwj = '\u200D';

    private static readonly HashSet<int> Viramas =
    [
        0x094D, 0x09CD, 0x0A4D, 0x0ACD, 0x0B4D, 0x0BCD, 0x0C4D, 0x0CCD, 0x0D3B, 0x0D3C, 0x0D4D, 0x0DCA,
        0x0E3A, 0x0EBA, 0x0F84, 0x1039, 0x103A, 0x1714, 0x1715, 0x1734, 0x17D2, 0x1A60, 0x1B44, 0x1BAA,
        0x1BAB, 0x1BF2, 0x1BF3, 0x2D7F, 0xA806, 0xA82C, 0xA8C4, 0xA953, 0xA9C0, 0xAAF6, 0xABED,
    ];

    // Right-joining letters (joining type R) of the Arabic blocks; the other letters of the ranges
    // in IsArabicLetter are dual-joining (D), except the non-joining ones listed below.
    private static readonly (int From, int To)[] RightJoining =
    [
        (0x0622, 0x0625), (0x0627, 0x0627), (0x0629, 0x0629), (0x062F, 0x0632), (0x0648, 0x0648),
        (0x0671, 0x0673), (0x0675, 0x0677), (0x0688, 0x0699), (0x06C0, 0x06C0), (0x06C3, 0x06CB),
        (0x06CD, 0x06CD), (0x06CF, 0x06CF), (0x06D2, 0x06D3), (0x06D5, 0x06D5), (0x06EE, 0x06EF),
        (0x0759, 0x075B), (0x076B, 0x076C), (0x0771, 0x0771), (0x0773, 0x0774), (0x0778, 0x0779),
        (0x08AA, 0x08AC), (0x08AE, 0x08AE), (0x08B1, 0x08B2), (0x08B9, 0x08B9),
    ];

    // Letters of the ranges that do not join at all (hamza, and the letters that take no part).
    private static readonly HashSet<int> NonJoining = [0x0621, 0x0674, 0x06D4, 0x06FD, 0x06FE];

    private enum Joining
    {
        None,
        Left,
        Dual,
        Right,
        Transparent,
    }

    // Whether the joiner at `at` stands where RFC 5892 allows it.
    public static bool Allowed(string text, int at)
    {
        var c = text[at];
        if (c is not (Zwnj or Zwj))
        {
            return false;
        }
        var before = Previous(text, at);
        if (before is { } b && Viramas.Contains(b.Value))
        {
            return true;
        }
        if (c == Zwj)
        {
            return false;
        }
        return Side(text, at, backwards: true) is Joining.Left or Joining.Dual
            && Side(text, at, backwards: false) is Joining.Right or Joining.Dual;
    }

    // The joining type of the first non-transparent character on one side of the joiner.
    private static Joining Side(string text, int at, bool backwards)
    {
        var i = at;
        while (true)
        {
            Rune? rune = backwards ? Previous(text, i) : Next(text, i);
            if (rune is not { } r)
            {
                return Joining.None;
            }
            var type = TypeOf(r);
            if (type != Joining.Transparent)
            {
                return type;
            }
            i = backwards ? i - r.Utf16SequenceLength : i + r.Utf16SequenceLength;
        }
    }

    private static Rune? Previous(string text, int at)
    {
        if (at == 0)
        {
            return null;
        }
        return Rune.DecodeLastFromUtf16(text.AsSpan(0, at), out var rune, out _) == System.Buffers.OperationStatus.Done ? rune : null;
    }

    private static Rune? Next(string text, int at)
    {
        var start = at + 1;
        if (start >= text.Length)
        {
            return null;
        }
        return Rune.DecodeFromUtf16(text.AsSpan(start), out var rune, out _) == System.Buffers.OperationStatus.Done ? rune : null;
    }

    private static Joining TypeOf(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
        {
            return Joining.Transparent;
        }
        var v = rune.Value;
        if (!IsArabicLetter(v) || NonJoining.Contains(v) || category != UnicodeCategory.OtherLetter)
        {
            return Joining.None;
        }
        return RightJoining.Any(r => v >= r.From && v <= r.To) ? Joining.Right : Joining.Dual;
    }

    private static bool IsArabicLetter(int v) => v is (>= 0x0620 and <= 0x064A) or (>= 0x066E and <= 0x06D5) or (>= 0x06EE and <= 0x06FF)
        or (>= 0x0750 and <= 0x077F) or (>= 0x08A0 and <= 0x08C9);
}
