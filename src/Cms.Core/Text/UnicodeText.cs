using System.Globalization;
using System.Text;

namespace Cms.Core.Text;

// One rule for characters that untrusted text must not smuggle in, shared by the item parser and
// by the web layer for names editors type (topics), so both refuse or strip exactly the same set.
public static class UnicodeText
{
    // C0 controls and DEL are never text. Tab, LF and CR are text only where a field may span
    // lines (allowNewlines); NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR also break lines
    // (YAML's "\N", "\L", "\P" escapes produce them), so single-line fields refuse them too.
    public static bool IsControl(char c, bool allowNewlines) => c switch
    {
        '\t' or '\n' or '\r' or '\u0085' or '\u2028' or '\u2029' => !allowNewlines,
        < '\u0020' or '\u007F' => true,
        _ => false,
    };

    // Index of the first control character the field may not hold, or -1.
    public static int FindControlCharacter(string text, bool allowNewlines)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsControl(text[i], allowNewlines))
            {
                return i;
            }
        }
        return -1;
    }

    // Why a field may not hold this text, or null; shared so the parser and the topic rule word
    // it alike.
    public static string? ControlProblem(string text, bool allowNewlines)
    {
        var at = FindControlCharacter(text, allowNewlines);
        if (at < 0)
        {
            return null;
        }
        return IsControl(text[at], allowNewlines: true)
            ? $"contains the control character {Describe(text, at)} at character {at + 1}"
            : $"contains a tab or line break ({Describe(text, at)}) at character {at + 1}; this field is a single line";
    }

    // Bidi controls reorder what is displayed, zero-width and other default-ignorable characters
    // render as nothing (or as a blank: the Hangul fillers, a known spoofing trick) and make
    // different strings look alike: they let one topic pose as another, a title show nothing or
    // hide what it says. The set is Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties)
    // except the emoji variation selectors U+FE0E/U+FE0F, which belong to the emoji they follow.
    // Letters of right-to-left scripts are not in this set; only the invisible controls are.
    public static bool IsInvisibleOrBidi(char c) => c is
        '\u00AD' // SOFT HYPHEN
        or '\u034F' // COMBINING GRAPHEME JOINER
        or '\u061C' // ARABIC LETTER MARK
        or '\u115F' or '\u1160' or '\u3164' or '\uFFA0' // HANGUL CHOSEONG/JUNGSEONG FILLER, HANGUL FILLER, HALFWIDTH HANGUL FILLER
        or '\u17B4' or '\u17B5' // KHMER VOWEL INHERENT AQ, AA
        or (>= '\u180B' and <= '\u180F') // MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
        or (>= '\u200B' and <= '\u200F') // ZWSP, ZWNJ, ZWJ, LRM, RLM
        or (>= '\u202A' and <= '\u202E') // LRE, RLE, PDF, LRO, RLO
        or (>= '\u2060' and <= '\u206F') // WJ, invisible operators, LRI, RLI, FSI, PDI, deprecated format characters
        or (>= '\uFE00' and <= '\uFE0D') // VARIATION SELECTORS 1-14
        or '\uFEFF' // ZWNBSP
        or (>= '\uFFF0' and <= '\uFFF8'); // unassigned, default ignorable

    // Beyond the BMP: shorthand format controls, musical formatting, and the tag and variation
    // selector supplement block (tags can carry hidden ASCII text).
    public static bool IsInvisibleOrBidi(Rune rune) =>
        rune.IsBmp ? IsInvisibleOrBidi((char)rune.Value) : rune.Value is (>= 0x1BCA0 and <= 0x1BCA3) or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);

    // Shows nothing by itself: white space, the set above, an emoji variation selector without its
    // emoji, and BRAILLE PATTERN BLANK (a character, not ignorable, but drawn as a blank).
    public static bool IsBlank(Rune rune) =>
        Rune.IsWhiteSpace(rune) || IsInvisibleOrBidi(rune) || rune.Value is 0xFE0E or 0xFE0F or 0x2800;

    // Whether the text shows at least one character: a required shown field (a title) that shows
    // nothing renders as an empty link in the queue.
    public static bool ShowsSomething(string text)
    {
        for (var i = 0; i < text.Length; i += RuneLength(text, i))
        {
            if (!IsBlank(RuneAt(text, i)))
            {
                return true;
            }
        }
        return false;
    }

    // Index (in UTF-16 units) of the first invisible or bidi character, or -1.
    public static int FindInvisibleOrBidi(string text) => FindInvisibleOrBidi(text, 0);

    // The same from a given index (a rune boundary) on.
    public static int FindInvisibleOrBidi(string text, int start)
    {
        for (var i = start; i < text.Length; i += RuneLength(text, i))
        {
            if (IsInvisibleOrBidi(RuneAt(text, i)))
            {
                return i;
            }
        }
        return -1;
    }

    public static string StripInvisible(string text)
    {
        var first = FindInvisibleOrBidi(text);
        if (first < 0)
        {
            return text;
        }
        var kept = new StringBuilder(text.Length).Append(text, 0, first);
        for (var i = first; i < text.Length;)
        {
            var length = RuneLength(text, i);
            if (!IsInvisibleOrBidi(RuneAt(text, i)))
            {
                kept.Append(text, i, length);
            }
            i += length;
        }
        return kept.ToString();
    }

    // Index of the first surrogate without its partner, or -1. Such text cannot be encoded as
    // UTF-8 for the database, and string.Normalize throws on it.
    public static int FindUnpairedSurrogate(string text)
    {
        // Most text has no surrogate at all; the vectorized search skips it whole.
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        for (var i = first < 0 ? text.Length : first; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    // NFC, so a precomposed "é" and "e" + U+0301 compare equal. Text with an unpaired surrogate is
    // returned as it is rather than throwing; readers refuse such text before it gets here.
    public static string Nfc(string text) =>
        FindUnpairedSurrogate(text) < 0 ? text.Normalize(NormalizationForm.FormC) : text;

    // "U+202E" for the character (or surrogate pair) at index, for problem messages.
    public static string Describe(string text, int index)
    {
        var value = char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            ? char.ConvertToUtf32(text[index], text[index + 1])
            : text[index];
        return "U+" + value.ToString("X4", CultureInfo.InvariantCulture);
    }

    private static int RuneLength(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    // An unpaired surrogate reads as U+FFFD, which is not invisible, so it is kept as it is.
    private static Rune RuneAt(string text, int index) =>
        Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out _) == System.Buffers.OperationStatus.Done ? rune : Rune.ReplacementChar;
}
