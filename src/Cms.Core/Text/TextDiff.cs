namespace Cms.Core.Text;

// A bounded diff of a value before and after a change, for the item history: the common start and
// end are found in one linear pass each, and what lies between them on each side is the change.
// Work is at most one comparison per character of the shorter value, twice; what is shown is at
// most ContextChars of unchanged text on each side of the change and MaxChangeChars of each side of
// the change, whatever the size of the values. Each piece is an exact substring of its value (no
// separator is ever added), so the stored text reads as it is; a piece cut short says how many
// characters it leaves out.
public static class TextDiff
{
    public const int ContextChars = 160;
    public const int MaxChangeChars = 4_000;

    public enum Kind
    {
        Same,
        Deleted,
        Inserted,
    }

    // LeftOut: characters of this piece not shown, before Text for the unchanged start, after it otherwise.
    public sealed record Piece(Kind Kind, string Text, int LeftOut = 0);

    // Comparisons: the characters compared, for the tests that hold the bound.
    public sealed record Result(IReadOnlyList<Piece> Pieces, long Comparisons);

    public static Result Of(string? before, string? after)
    {
        before ??= "";
        after ??= "";
        long comparisons = 0;
        var shorter = Math.Min(before.Length, after.Length);
        var start = 0;
        while (start < shorter && before[start] == after[start])
        {
            start++;
        }
        comparisons += Math.Min(start + 1, shorter);
        var end = 0;
        while (end < shorter - start && before[before.Length - 1 - end] == after[after.Length - 1 - end])
        {
            end++;
        }
        comparisons += Math.Min(end + 1, shorter - start);
        // Whole words and whole characters change: a word changed in its middle is shown deleted and
        // inserted entire (up to MaxWordChars back), and a surrogate pair is never split.
        start = Snap(start, i => InWord(before, i) || InWord(after, i), i => LowSurrogateAt(before, i) || LowSurrogateAt(after, i));
        end = Snap(end, e => InWord(before, before.Length - e) || InWord(after, after.Length - e),
            e => LowSurrogateAt(before, before.Length - e) || LowSurrogateAt(after, after.Length - e));

        var pieces = new List<Piece>(4);
        if (start > 0)
        {
            var shown = UnicodeText.ClipStartLength(before.AsSpan(0, start), ContextChars);
            pieces.Add(new Piece(Kind.Same, before.Substring(start - shown, shown), start - shown));
        }
        Changed(pieces, Kind.Deleted, before, start, before.Length - end);
        Changed(pieces, Kind.Inserted, after, start, after.Length - end);
        if (end > 0)
        {
            var shown = UnicodeText.ClipLength(before.AsSpan(before.Length - end), ContextChars);
            pieces.Add(new Piece(Kind.Same, before.Substring(before.Length - end, shown), end - shown));
        }
        return new Result(pieces, comparisons);
    }

    private static void Changed(List<Piece> pieces, Kind kind, string value, int from, int to)
    {
        var length = to - from;
        if (length <= 0)
        {
            return;
        }
        var shown = UnicodeText.ClipLength(value.AsSpan(from, length), MaxChangeChars);
        pieces.Add(new Piece(kind, value.Substring(from, shown), length - shown));
    }

    public const int MaxWordChars = 40;

    // A boundary moved back to the start of the word it falls in, unless that word is longer than
    // MaxWordChars; never between the halves of a surrogate pair.
    private static int Snap(int at, Func<int, bool> inWord, Func<int, bool> splitsPair)
    {
        var word = at;
        while (word > 0 && at - word < MaxWordChars && inWord(word))
        {
            word--;
        }
        if (word > 0 && inWord(word))
        {
            word = at;
        }
        while (word > 0 && splitsPair(word))
        {
            word--;
        }
        return word;
    }

    private static bool LowSurrogateAt(string value, int i) => i < value.Length && char.IsLowSurrogate(value[i]);

    // Whether position i falls between two letters or digits (inside a word).
    private static bool InWord(string value, int i) =>
        i > 0 && i < value.Length && char.IsLetterOrDigit(value[i - 1]) && char.IsLetterOrDigit(value[i]);
}
