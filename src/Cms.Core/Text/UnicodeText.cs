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

    // IsControl's two sets, searched vectorized: every field of every imported file is checked.
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => IsControl(c, allowNewlines: false)).ToArray());

    private static readonly SearchValues<char> ControlsBesidesNewlines = SearchValues.Create(
        Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => IsControl(c, allowNewlines: true)).ToArray());

    // Index of the first control character the field may not hold, or -1.
    public static int FindControlCharacter(string text, bool allowNewlines) =>
        text.AsSpan().IndexOfAny(allowNewlines ? ControlsBesidesNewlines : Controls);

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
    // hide what it says. The set is Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties);
    // the emoji variation selectors U+FE0E/U+FE0F are in it too, and are text only right after a
    // character with an emoji form (IsPartOfText). Letters of right-to-left scripts are not in this
    // set; only the invisible controls are.
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
        or (>= '\uFE00' and <= '\uFE0F') // VARIATION SELECTORS 1-16
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
    // titles, provider names, excerpts, categories, topics, view names and comments. Each case is
    // one that changes what is drawn; anywhere else the character draws nothing and could carry
    // hidden bits or make two names look alike.
    // - ZWNJ/ZWJ inside a word of a script that needs them (RFC 5892 A.1/A.2, JoinerContext):
    //   Persian "می‌خواهم", Devanagari half-forms "क्‍ष".
    // - ZWJ inside an emoji ZWJ sequence (UTS #51: "👨‍👩‍👧" is one family glyph): the ZWJ joins the
    //   next character into one grapheme cluster (UAX #29 GB11, .NET's segmentation, which knows
    //   Extended_Pictographic) and that character is one an RGI ZWJ sequence continues with
    //   (ZwjContinuations); between two emoji that form no sequence ("😀‍😀") it draws nothing.
    // - VS15/VS16 (text or emoji style) right after a character with an emoji form: an
    //   Extended_Pictographic one, or a keycap base 0-9 # * followed by COMBINING ENCLOSING KEYCAP
    //   (UTS #51 emoji presentation sequences). After a letter, a space or another selector they
    //   draw nothing.
    // - Tag characters of one of the three recommended subdivision flags (UTS #51 RGI: England,
    //   Scotland, Wales): every other tag sequence draws as a plain black flag, its tags hidden.
    private static bool IsPartOfText(string text, int at, ref Clusters clusters)
    {
        var c = text[at];
        if (c is JoinerContext.Zwnj or JoinerContext.Zwj && JoinerContext.Allowed(text, at))
        {
            return true;
        }
        if (c == JoinerContext.Zwj)
        {
            return clusters.JoinsNext(at) && at + 1 < text.Length && ZwjContinuations.Contains(RuneAt(text, at + 1).Value) && JoinsFromBase(text, at);
        }
        if (c is '\uFE0E' or '\uFE0F')
        {
            return HasEmojiForm(text, at);
        }
        return char.IsHighSurrogate(c) && InFlagTagSequence(text, at);
    }

    // What may follow the ZWJ of an RGI emoji ZWJ sequence (emoji-zwj-sequences.txt, Emoji 15.1):
    // the people of families, couples and hand-holding, the objects of roles, hair styles, gender
    // and direction signs, and the second halves of the flag, animal and face sequences.
    private static readonly HashSet<int> ZwjContinuations =
    [
        0x1F466, 0x1F467, 0x1F468, 0x1F469, 0x1F9D1, 0x1F9D2, // boy, girl, man, woman, person, child
        0x2764, 0x1F48B, 0x1F91D, 0x1FAF2, // heart, kiss mark, handshake, leftwards hand
        0x2695, 0x2696, 0x2708, 0x1F33E, 0x1F373, 0x1F37C, 0x1F384, 0x1F393, 0x1F3A4, 0x1F3A8, 0x1F3EB, 0x1F3ED,
        0x1F4BB, 0x1F4BC, 0x1F527, 0x1F52C, 0x1F680, 0x1F692, 0x1F9AF, 0x1F9BC, 0x1F9BD, // roles
        0x1F9B0, 0x1F9B1, 0x1F9B2, 0x1F9B3, // hair
        0x2640, 0x2642, 0x27A1, 0x2194, 0x2195, // gender, facing right, head shaking
        0x1F308, 0x26A7, 0x2620, // rainbow, transgender, pirate flags
        0x1F9BA, 0x2B1B, 0x2744, 0x1F525, 0x1FA79, 0x1F7E9, 0x1F7EB, 0x1F4A5, // service dog, black cat/bird, polar bear, fire, bandage, lime, mushroom, broken chain
        0x1F32B, 0x1F4A8, 0x1F4AB, 0x1F5E8, // face in clouds, exhaling, spiral eyes, eye in speech bubble
    ];

    // Whether the character before the ZWJ at index (after one emoji-style selector or one skin
    // tone) is one an RGI ZWJ sequence starts or goes on from: GB11 joins any emoji before the ZWJ,
    // so "😀\u200D👨" is one cluster but draws as two emoji, exactly as without the joiner (REVIEW8 #7).
    private static bool JoinsFromBase(string text, int at)
    {
        var end = at;
        if (end > 0 && text[end - 1] == '\uFE0F')
        {
            end--;
        }
        if (end == 0 || Rune.DecodeLastFromUtf16(text.AsSpan(0, end), out var before, out var length) != OperationStatus.Done)
        {
            return false;
        }
        if (before.Value is >= 0x1F3FB and <= 0x1F3FF && Rune.DecodeLastFromUtf16(text.AsSpan(0, end - length), out before, out _) != OperationStatus.Done)
        {
            return false;
        }
        return IsZwjBase(before.Value);
    }

    // What comes before a ZWJ in an RGI emoji ZWJ sequence (emoji-zwj-sequences.txt, Emoji 15.1):
    // every Emoji_Modifier_Base (people, gestures, activities: the role, gender, hair and direction
    // sequences start there), and the other characters a sequence starts or goes on from.
    private static bool IsZwjBase(int value) => ZwjBases.Contains(value) || EmojiModifierBases.Any(r => value >= r.From && value <= r.To);

    // Emoji_Modifier_Base (emoji-data.txt, Emoji 15.1).
    private static readonly (int From, int To)[] EmojiModifierBases =
    [
        (0x261D, 0x261D), (0x26F9, 0x26F9), (0x270A, 0x270D), (0x1F385, 0x1F385), (0x1F3C2, 0x1F3C4), (0x1F3C7, 0x1F3C7),
        (0x1F3CA, 0x1F3CC), (0x1F442, 0x1F443), (0x1F446, 0x1F450), (0x1F466, 0x1F478), (0x1F47C, 0x1F47C), (0x1F481, 0x1F483),
        (0x1F485, 0x1F487), (0x1F48F, 0x1F48F), (0x1F491, 0x1F491), (0x1F4AA, 0x1F4AA), (0x1F574, 0x1F575), (0x1F57A, 0x1F57A),
        (0x1F590, 0x1F590), (0x1F595, 0x1F596), (0x1F645, 0x1F647), (0x1F64B, 0x1F64F), (0x1F6A3, 0x1F6A3), (0x1F6B4, 0x1F6B6),
        (0x1F6C0, 0x1F6C0), (0x1F6CC, 0x1F6CC), (0x1F90C, 0x1F90C), (0x1F90F, 0x1F90F), (0x1F918, 0x1F91F), (0x1F926, 0x1F926),
        (0x1F930, 0x1F939), (0x1F93C, 0x1F93E), (0x1F977, 0x1F977), (0x1F9B5, 0x1F9B6), (0x1F9B8, 0x1F9B9), (0x1F9BB, 0x1F9BB),
        (0x1F9CD, 0x1F9CF), (0x1F9D1, 0x1F9DD), (0x1FAC3, 0x1FAC5), (0x1FAF0, 0x1FAF8),
    ];

    private static readonly HashSet<int> ZwjBases =
    [
        0x1F46F, 0x1F93C, 0x1F9DE, 0x1F9DF, // people with bunny ears, wrestlers, genie, zombie (gendered, no skin tone)
        0x2764, 0x1F48B, 0x1F91D, // heart (couples, heart on fire, mending heart), kiss mark, handshake (kiss, holding hands)
        0x1F9AF, 0x1F9BC, 0x1F9BD, // probing cane, wheelchairs (… facing right)
        0x1F441, 0x1F3F3, 0x1F3F4, // eye in speech bubble, rainbow and transgender flags, pirate flag
        0x1F415, 0x1F408, 0x1F426, 0x1F43B, // service dog, black cat, black bird and phoenix, polar bear
        0x1F62E, 0x1F635, 0x1F636, 0x1F642, // face exhaling, with spiral eyes, in clouds, head shaking
        0x1F34B, 0x1F344, 0x26D3, // lime, brown mushroom, broken chain
        0x2640, 0x2642, // gender signs, which "facing right" sequences go on from: 🚶‍♀️‍➡️ (REVIEW9 R9-2)
    ];

    // Whether the variation selector at index follows a character it gives a text or emoji style.
    private static bool HasEmojiForm(string text, int at)
    {
        if (at == 0 || Rune.DecodeLastFromUtf16(text.AsSpan(0, at), out var before, out _) != OperationStatus.Done)
        {
            return false;
        }
        if (before.Value is (>= '0' and <= '9') or '#' or '*')
        {
            return at + 1 < text.Length && text[at + 1] == '\u20E3';
        }
        return IsExtendedPictographic(before);
    }

    // .NET exposes no emoji property, but its segmentation knows Extended_Pictographic: a ZWJ joins
    // an emoji after it into one cluster (UAX #29 GB11) only when the character before is one.
    private static bool IsExtendedPictographic(Rune rune)
    {
        Span<char> probe = stackalloc char[5];
        var length = rune.EncodeToUtf16(probe);
        probe[length] = JoinerContext.Zwj;
        "\U0001F600".AsSpan().CopyTo(probe[(length + 1)..]);
        return StringInfo.GetNextTextElementLength(probe[..(length + 3)]) == length + 3;
    }

    private const int FlagBase = 0x1F3F4;
    private const int CancelTag = 0xE007F;
    private const int SubdivisionTags = 5;
    private static readonly string[] RecommendedSubdivisions = ["gbeng", "gbsct", "gbwls"];

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
        for (var n = 0; n < SubdivisionTags && start >= 2 && IsSubdivisionTag(RuneAt(text, start - 2).Value); n++)
        {
            start -= 2;
        }
        if (start < 2 || RuneAt(text, start - 2).Value != FlagBase)
        {
            return false;
        }
        Span<char> id = stackalloc char[SubdivisionTags];
        var end = start;
        for (var n = 0; n < SubdivisionTags && end < text.Length && IsSubdivisionTag(RuneAt(text, end).Value); n++)
        {
            id[n] = (char)(RuneAt(text, end).Value - 0xE0000);
            end += 2;
        }
        if (end - start != 2 * SubdivisionTags || at > end || end >= text.Length || RuneAt(text, end).Value != CancelTag)
        {
            return false;
        }
        foreach (var known in RecommendedSubdivisions)
        {
            if (id.SequenceEqual(known))
            {
                return true;
            }
        }
        return false;
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

    // Shows nothing by itself: white space, the set above (an emoji variation selector without its
    // emoji among them), and BRAILLE PATTERN BLANK (a character, not ignorable, but drawn as a blank).
    public static bool IsBlank(Rune rune) =>
        Rune.IsWhiteSpace(rune) || IsInvisibleOrBidi(rune) || rune.Value == BraillePatternBlank;

    private const int BraillePatternBlank = 0x2800;

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

    // A name others pick from a list (a topic, a category, a shared view) as stored and compared:
    // NFC, every run of white space (a double space, NO-BREAK, THIN or IDEOGRAPHIC SPACE, which
    // HTML draws as one space) one U+0020, trimmed. So names that differ only in their blanks are
    // one name; NameProblem refuses what still only looks like a blank.
    public static string CleanName(string name)
    {
        var nfc = Nfc(name.Trim());
        var fold = false;
        for (var i = 0; i < nfc.Length && !fold; i++)
        {
            fold = IsSpaceLike(nfc[i]) && (nfc[i] != ' ' || nfc[i + 1] == ' ' || IsSpaceLike(nfc[i + 1]));
        }
        if (!fold)
        {
            return nfc;
        }
        var clean = new StringBuilder(nfc.Length);
        var pending = false;
        foreach (var c in nfc)
        {
            if (IsSpaceLike(c))
            {
                pending = true;
                continue;
            }
            clean.Append(pending ? " " : "").Append(c);
            pending = false;
        }
        return clean.ToString();
    }

    // The key under which two cleaned names are one name whatever their letter case: Unicode's
    // simple case folding (CaseFolding.txt, status C and S) as .NET's invariant tables give it, each
    // code point upper- then lower-cased. So "World" = "WORLD" = "world", final sigma = sigma
    // ("ΟΔΟΣ" = "οδος"), long s = s, MICRO SIGN = mu, ẞ = ß; but not ß = "ss" (full folding) nor the
    // Turkish rules: İ (U+0130) and ı (U+0131) fold to themselves, as in CaseFolding's C/S lines, so
    // "İzmir" and "Izmir" stay two names. One code point maps to one, so PostgreSQL's translate()
    // with the table generated from this (CategoryCaseSql) gives the same key, whatever the
    // database's locale; lower() would not (it follows the collation's C library or ICU).
    // The fold is of the NFD form, and the key the NFC of the fold (Unicode's canonical caseless
    // match, D145): a letter whose capital has no precomposed form (ǰ, whose capital is J + U+030C;
    // ΐ, Ϊ + U+0301; ẘ, W + U+030A) folds the capital's base letter and keeps the mark, so both
    // spellings compose to one key (REVIEW11 R11-4). cms_category_key() does the same with
    // PostgreSQL's normalize() (CategoryKeySql).
    public static string CaseKey(string name)
    {
        if (Ascii.IsValid(name))
        {
            return name.ToLowerInvariant();
        }
        var nfd = Normalized(name, NormalizationForm.FormD);
        var key = new StringBuilder(nfd.Length);
        foreach (var rune in nfd.EnumerateRunes())
        {
            key.Append(CaseKey(rune).ToString());
        }
        return Normalized(key.ToString(), NormalizationForm.FormC);
    }

    public static Rune CaseKey(Rune rune) => Rune.ToLowerInvariant(Rune.ToUpperInvariant(rune));

    // The one key of the two vocabularies, categories (CategoryNames.Key) and topics
    // (TopicNames.Normalize): two names are one when their cleaned forms case-fold alike. The
    // database computes the same key of a stored (cleaned) name with cms_category_key().
    public static string NameKey(string name) => CaseKey(CleanName(name));

    // White space within a line (tabs and line breaks stay what ControlProblem refuses).
    private static bool IsSpaceLike(char c) => char.IsWhiteSpace(c) && !IsControl(c, allowNewlines: false);

    // Why a cleaned name (CleanName) cannot join a list, or null: a control character, an invisible
    // or bidi character outside the text it belongs to, nothing visible at all, or BRAILLE PATTERN
    // BLANK (drawn as a space, so "Broken⠀links" would pose as "Broken links").
    public static string? NameProblem(string clean)
    {
        if ((ControlProblem(clean, allowNewlines: false) ?? InvisibleProblem(clean) ?? (ShowsSomething(clean) ? null : ShowsNothing)) is { } problem)
        {
            return problem;
        }
        var blank = clean.IndexOf((char)BraillePatternBlank);
        if (blank >= 0)
        {
            return $"contains {Describe(clean, blank)}, which is drawn as a blank, at character {blank + 1}";
        }
        var noncharacter = FindNoncharacter(clean);
        return noncharacter >= 0 ? $"contains the noncharacter {Describe(clean, noncharacter)} at character {noncharacter + 1}" : null;
    }

    // A stored name as the name rule keeps it: what NameProblem refuses taken out (controls and
    // BRAILLE PATTERN BLANK as a space, invisible and bidi characters outside their text, and
    // noncharacters), then CleanName. So NameProblem of the result is null unless it shows nothing,
    // and a name renamed by it is one the rule keeps (reread-text renames a saved view once, REVIEW9
    // R9-3a: it once kept the noncharacter and renamed the view again on every run).
    public static string KeptName(string stored)
    {
        var kept = StripInvisible(StripNoncharacters(stored)).Replace((char)BraillePatternBlank, ' ');
        if (FindControlCharacter(kept, allowNewlines: false) >= 0)
        {
            kept = string.Concat(kept.Select(c => IsControl(c, allowNewlines: false) ? ' ' : c));
        }
        return CleanName(kept);
    }

    // Noncharacters (U+FDD0-U+FDEF and the last two code points of every plane, U+FFFE, U+FFFF,
    // U+1FFFE ...) are never text: browsers draw nothing or a box, so a name holding one looks like
    // the name without it (REVIEW8 #2). YAML's escapes can reach them.
    public static bool IsNoncharacter(int value) => value is >= 0xFDD0 and <= 0xFDEF || (value & 0xFFFE) == 0xFFFE;

    // Index of the first noncharacter, or -1; ordinary text (titles on the import's parse path) is
    // skipped in vectorized steps.
    public static int FindNoncharacter(string text)
    {
        for (var from = 0; from < text.Length;)
        {
            var at = text.AsSpan(from).IndexOfAny(MayStartNoncharacter);
            if (at < 0)
            {
                return -1;
            }
            at += from;
            if (IsNoncharacter(RuneAt(text, at).Value))
            {
                return at;
            }
            from = at + 1;
        }
        return -1;
    }

    // U+FDD0-U+FDEF, U+FFFE, U+FFFF, and the high surrogates of each plane's last 1,024 code points
    // (U+1FC00-U+1FFFF ... U+10FC00-U+10FFFF), where that plane's two noncharacters are.
    private static readonly SearchValues<char> MayStartNoncharacter = SearchValues.Create(
        string.Concat(Enumerable.Range(0xFDD0, 0x20).Append(0xFFFE).Append(0xFFFF).Concat(Enumerable.Range(0, 16).Select(k => 0xD83F + k * 0x40)).Select(c => (char)c)));

    // The text without its noncharacters (titles: what cannot be drawn goes, as invisible ones do).
    public static string StripNoncharacters(string text)
    {
        if (FindNoncharacter(text) < 0)
        {
            return text;
        }
        var kept = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i += RuneLength(text, i))
        {
            if (!IsNoncharacter(RuneAt(text, i).Value))
            {
                kept.Append(text, i, RuneLength(text, i));
            }
        }
        return kept.ToString();
    }

    // The text cut to at most max UTF-16 units with mark ("…" unless told) added: the one clip for
    // user text shown or stored (titles, comments, names, audit values, messages). It cuts at the
    // last grapheme cluster boundary (UAX #29, as .NET segments text) at or before max, so it never
    // leaves half of a surrogate pair (a lone half is no character: the pages' encoder writes U+FFFD
    // for it and PostgreSQL refuses to store it), never separates a letter from its combining
    // marks, an emoji from its skin tone or selector, a flag's two halves, or the people of a ZWJ
    // sequence from their joiners. A single cluster longer than max (a letter under a pile of
    // marks, a long ZWJ chain) is cut between code points instead, still never inside a surrogate
    // pair and never after a joiner, a skin tone or a selector left without what they join (REVIEW10).
    public static string Clip(string text, int max, string mark = "…") =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, ClipLength(text, max)), mark);

    // The last at most max units of text, starting where a cluster may start: never inside a
    // surrogate pair, nor at a joiner, a combining mark, a skin tone or a selector, nor right after
    // a joiner (REVIEW10 R10-6: the history diff's leading context began "\u200D👩"). The start of
    // a cluster cannot be found walking backwards in general; these are what a reader sees dangle.
    public static int ClipStartLength(ReadOnlySpan<char> text, int max)
    {
        if (text.Length <= max)
        {
            return text.Length;
        }
        var start = text.Length - max;
        while (start < text.Length && (text[start - 1] == JoinerContext.Zwj || Continues(text[start..])))
        {
            start++;
        }
        return text.Length - start;
    }

    // Whether the character at the start of text only goes on with the one before it.
    private static bool Continues(ReadOnlySpan<char> text)
    {
        if (char.IsLowSurrogate(text[0]))
        {
            return true;
        }
        Rune.DecodeFromUtf16(text, out var rune, out _);
        return rune.Value is JoinerContext.Zwj or JoinerContext.Zwnj or (>= 0xFE00 and <= 0xFE0F) or (>= 0x1F3FB and <= 0x1F3FF) or (>= 0xE0020 and <= 0xE007F)
            or (>= 0xE0100 and <= 0xE01EF)
            || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }

    // Where Clip cuts text longer than max: the end of the last whole cluster within max. Only the
    // first max + 2 units are read (a boundary depends on what precedes it and the one character
    // after it), so a megabyte value costs no more than a short one.
    public static int ClipLength(ReadOnlySpan<char> text, int max)
    {
        if (text.Length <= max)
        {
            return text.Length;
        }
        if (max <= 0)
        {
            return 0;
        }
        var window = text[..Math.Min(text.Length, max + 2)];
        var end = 0;
        while (end < max)
        {
            var next = StringInfo.GetNextTextElementLength(window[end..]);
            if (next <= 0 || end + next > max)
            {
                break;
            }
            end += next;
        }
        if (end == 0)
        {
            // One cluster longer than max: cut between code points instead.
            end = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        }
        // Never after a joiner, which would dangle before the mark ("👨🏽\u200D…", which the name
        // rule refuses): .NET ends a cluster after a ZWJ when what follows is not an emoji it joins.
        while (end > 0 && text[end - 1] is JoinerContext.Zwj or JoinerContext.Zwnj)
        {
            end--;
        }
        return end;
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
    // returned as it is rather than throwing: one hostile value must not fail its whole file. .NET
    // refuses to normalize text holding a noncharacter (U+FFFE, which YAML's escapes can reach), so
    // the text between noncharacters is normalized piece by piece, as PostgreSQL's normalize()
    // does (a noncharacter never composes with a neighbour): "Cafe\u0301\uFFFE" is "Café\uFFFE"
    // in both, and the fold migration's SQL agrees with CleanName.
    public static string Nfc(string text) => Normalized(text, NormalizationForm.FormC);

    public static string Normalized(string text, NormalizationForm form)
    {
        if (FindUnpairedSurrogate(text) >= 0)
        {
            return text;
        }
        try
        {
            return text.Normalize(form);
        }
        catch (ArgumentException)
        {
            return NormalizedAroundNoncharacters(text, form);
        }
    }

    private static string NormalizedAroundNoncharacters(string text, NormalizationForm form)
    {
        var result = new StringBuilder(text.Length);
        var from = 0;
        for (var i = 0; i <= text.Length; i += i < text.Length ? RuneLength(text, i) : 1)
        {
            if (i < text.Length && !IsNoncharacter(RuneAt(text, i).Value))
            {
                continue;
            }
            var piece = text[from..i];
            try
            {
                result.Append(piece.Normalize(form));
            }
            catch (ArgumentException)
            {
                result.Append(piece);
            }
            if (i < text.Length)
            {
                result.Append(text, i, RuneLength(text, i));
            }
            from = i + (i < text.Length ? RuneLength(text, i) : 0);
        }
        return result.ToString();
    }

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
