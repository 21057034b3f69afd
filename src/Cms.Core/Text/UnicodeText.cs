using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cms.Core.Text;

// One rule for characters that untrusted text must not smuggle in, shared by the item parser and
// by the web layer for names editors type (topics), so both refuse or strip exactly the same set.
public static class UnicodeText
{
    public const string ShowsNothing = "shows no visible character (only blank or invisible ones)";

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
    private static readonly (int From, int To)[] BeyondBmp = [(0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)];

    public static bool IsInvisibleOrBidi(Rune rune)
    {
        if (rune.IsBmp)
        {
            return IsInvisibleOrBidi((char)rune.Value);
        }
        // A loop: this runs for each character of a name or file name checked.
        foreach (var (from, to) in BeyondBmp)
        {
            if (rune.Value >= from && rune.Value <= to)
            {
                return true;
            }
        }
        return false;
    }

    // Every UTF-16 unit an invisible or bidi character can start with (the BMP ones and the high
    // surrogates of the others), so a search skips ordinary text (an excerpt) in vectorized steps.
    private static readonly SearchValues<char> MayStartInvisible = SearchValues.Create(InvisibleStarts());

    private static string InvisibleStarts()
    {
        var starts = new StringBuilder();
        for (var c = '\0'; c < char.MaxValue; c++)
        {
            if (IsInvisibleOrBidi(c))
            {
                starts.Append(c);
            }
        }
        foreach (var (from, to) in BeyondBmp)
        {
            for (var high = char.ConvertFromUtf32(from)[0]; high <= char.ConvertFromUtf32(to)[0]; high++)
            {
                starts.Append(high);
            }
        }
        return starts.ToString();
    }

    // Where an invisible character is part of what the text says, not a disguise: one rule for
    // titles, provider names, excerpts, categories, topics and view names.
    // - ZWNJ/ZWJ inside a word of a script that needs them (RFC 5892 A.1/A.2, JoinerContext):
    //   Persian "می‌خواهم", Devanagari half-forms "क्‍ष".
    // - ZWJ inside an emoji ZWJ sequence (UTS #51: "👨‍👩‍👧" is one family glyph): the ZWJ joins the
    //   next character into one grapheme cluster (UAX #29 GB11, .NET's segmentation, which knows
    //   Extended_Pictographic) and that character is an emoji, not a mark or another joiner.
    // - Tag characters of an emoji tag sequence that spells a subdivision flag (UTS #51 ED-14a,
    //   🏴 + a Unicode subdivision id in tag letters and digits + CANCEL TAG: England, Scotland,
    //   Wales): at most 7 tags, so no sentence can hide there.
    // Everywhere else (a ZWJ between Latin letters, tags after a letter) they are invisible.
    private static bool IsPartOfText(string text, int at, ref Clusters clusters)
    {
        var c = text[at];
        if (c is JoinerContext.Zwnj or JoinerContext.Zwj && JoinerContext.Allowed(text, at))
        {
            return true;
        }
        if (c == JoinerContext.Zwj)
        {
            return clusters.JoinsNext(at) && at + 1 < text.Length && !IsExtending(text, at + 1);
        }
        return char.IsHighSurrogate(c) && InFlagTagSequence(text, at);
    }

    // Whether the character at index would join a cluster after any letter and a ZWJ (a mark, a
    // joiner, an emoji modifier, a tag: UAX #29 Extend, ZWJ, SpacingMark), rather than by GB11.
    private static bool IsExtending(string text, int index)
    {
        Span<char> probe = stackalloc char[4];
        probe[0] = 'a';
        probe[1] = JoinerContext.Zwj;
        var length = RuneLength(text, index);
        text.AsSpan(index, length).CopyTo(probe[2..]);
        return StringInfo.GetNextTextElementLength(probe[..(2 + length)]) == 2 + length;
    }

    private const int FlagBase = 0x1F3F4;
    private const int CancelTag = 0xE007F;
    private const int MaxSubdivisionTags = 7;

    private static bool IsSubdivisionTag(int value) => value is (>= 0xE0030 and <= 0xE0039) or (>= 0xE0061 and <= 0xE007A);

    private static bool InFlagTagSequence(string text, int at)
    {
        var value = RuneAt(text, at).Value;
        if (value != CancelTag && !IsSubdivisionTag(value))
        {
            return false;
        }
        // Back to the first tag of the run (tags are two UTF-16 units each), then the flag before it.
        var start = at;
        for (var n = 0; n <= MaxSubdivisionTags && start >= 2 && IsSubdivisionTag(RuneAt(text, start - 2).Value); n++)
        {
            start -= 2;
        }
        if (start < 2 || RuneAt(text, start - 2).Value != FlagBase)
        {
            return false;
        }
        var end = start;
        while (end < text.Length && (end - start) / 2 <= MaxSubdivisionTags && IsSubdivisionTag(RuneAt(text, end).Value))
        {
            end += 2;
        }
        var count = (end - start) / 2;
        return count is >= 3 and <= MaxSubdivisionTags && at <= end && end < text.Length && RuneAt(text, end).Value == CancelTag;
    }

    // The grapheme clusters of a text, walked forward once as a scan moves on (UAX #29 as .NET
    // segments text), so a scan stays linear however many joiners the text holds.
    private struct Clusters(string text)
    {
        private int _end;

        // Whether the character at index and the one after it are in one cluster.
        public bool JoinsNext(int index)
        {
            while (_end <= index)
            {
                _end += StringInfo.GetNextTextElementLength(text.AsSpan(_end));
            }
            return index + 1 < _end;
        }
    }

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

    // Index (in UTF-16 units) of the first invisible or bidi character that is not part of the
    // text where it stands (IsPartOfText), or -1.
    public static int FindInvisibleOrBidi(string text)
    {
        var clusters = new Clusters(text);
        return NextInvisible(text, 0, ref clusters);
    }

    private static int NextInvisible(string text, int from, ref Clusters clusters)
    {
        while (from < text.Length)
        {
            var at = text.AsSpan(from).IndexOfAny(MayStartInvisible);
            if (at < 0)
            {
                return -1;
            }
            at += from;
            if (IsInvisibleOrBidi(RuneAt(text, at)) && !IsPartOfText(text, at, ref clusters))
            {
                return at;
            }
            from = at + RuneLength(text, at);
        }
        return -1;
    }

    // The text without the characters FindInvisibleOrBidi finds (each judged where it stood in the
    // text as received); the same string when there are none.
    public static string StripInvisible(string text)
    {
        var clusters = new Clusters(text);
        var at = NextInvisible(text, 0, ref clusters);
        if (at < 0)
        {
            return text;
        }
        var kept = new StringBuilder(text.Length);
        var from = 0;
        while (at >= 0)
        {
            kept.Append(text, from, at - from);
            from = at + RuneLength(text, at);
            at = NextInvisible(text, from, ref clusters);
        }
        return kept.Append(text, from, text.Length - from).ToString();
    }

    // Why a name that joins a list others pick from (a topic, a category, a shared view) cannot be
    // what it is, or null: one that looks like another is a spoofing attempt or a mistake.
    public static string? InvisibleProblem(string text) =>
        FindInvisibleOrBidi(text) is var at and >= 0
            ? $"contains the invisible or bidirectional character {Describe(text, at)} at character {at + 1}"
            : null;

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
