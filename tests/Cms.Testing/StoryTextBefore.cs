using System.Text;
using Cms.Core.Stories;

namespace Cms.Testing;

// StoryText.Analyze as main 7d5b943 wrote it (a string per word, LINQ, sets of strings), kept as
// the reference the faster analysis is checked against (StoryTextPinTests) and timed against
// (`./cms bench stories --analyze N`). Its one change: a word whose term transliterates to nothing
// ("ъь") is skipped, as Analyze now does, where it used to throw.
public static class StoryTextBefore
{
    public static StoryTerms Analyze(string? title, string? excerpt)
    {
        var titleWords = Raw(title, StoryText.MaxWords, headline: true);
        var bodyWords = Raw(excerpt, StoryText.MaxWords - titleWords.Count, headline: false);
        var all = Mark([.. titleWords, .. bodyWords]);
        // The fingerprint is of the excerpt when it is long enough: a wire story reused by another
        // outlet keeps its body and gets a new headline ("UPDATE 1-...", "... - report").
        var printed = bodyWords.Count >= StoryText.MinFingerprintWords ? bodyWords : all;
        return new StoryTerms(Ids(titleWords), Ids(all), Ids(all.Where(w => w.Name).ToList()),
            Ids(all.Where(w => char.IsDigit(w.Term[0])).ToList()), SimHash(printed.Select(w => w.Term).ToList()));
    }

    // Stemmed, transliterated terms in reading order (stop words removed), names marked.
    public static List<StoryText.Word> Words(string? text, int max = StoryText.MaxWords, bool headline = false) => Mark(Raw(text, max, headline));

    // A name is a number, a word with a capital inside a sentence, or a word that starts at least two
    // sentences and is never written in lower case: "Nvidia said ... Nvidia shares rose ..." makes
    // Nvidia a name, one "Analysts said ..." does not make analysts one.
    private static List<StoryText.Word> Mark(List<StoryText.Word> words)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lower = new HashSet<string>(StringComparer.Ordinal);
        var starts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            if (char.IsDigit(w.Term[0]) || (w.Capital && !w.Start))
            {
                names.Add(w.Term);
            }
            else if (w.Capital)
            {
                starts[w.Term] = starts.GetValueOrDefault(w.Term) + 1;
            }
            else
            {
                lower.Add(w.Term);
            }
        }
        foreach (var (term, count) in starts)
        {
            if (count >= 2 && !lower.Contains(term))
            {
                names.Add(term);
            }
        }
        return words.Select(w => w with { Name = names.Contains(w.Term) }).ToList();
    }

    private static List<StoryText.Word> Raw(string? text, int max, bool headline)
    {
        var words = new List<StoryText.Word>();
        if (string.IsNullOrWhiteSpace(text) || max <= 0)
        {
            return words;
        }
        var plain = StoryText.StripHtml(text).Normalize(NormalizationForm.FormKC);
        var raw = new List<(string Text, bool SentenceStart)>();
        var word = new StringBuilder();
        var sentenceStart = true;
        var wordAtStart = true;
        foreach (var c in plain)
        {
            // Letters and digits part: "$35bn" is 35 and bn, as "35 billion" is 35 and billion.
            if (char.IsLetterOrDigit(c) && (word.Length == 0 || char.IsDigit(c) == char.IsDigit(word[^1])))
            {
                if (word.Length == 0)
                {
                    wordAtStart = sentenceStart;
                }
                word.Append(c);
                continue;
            }
            if (word.Length > 0)
            {
                raw.Add((word.ToString(), wordAtStart));
                word.Clear();
                sentenceStart = false;
                if (raw.Count >= max * 2)
                {
                    break;
                }
            }
            if (char.IsLetterOrDigit(c))
            {
                wordAtStart = false;
                word.Append(c);
            }
            else if (c is '.' or '!' or '?' or ':' or '\n' or '«' or '"' or '“')
            {
                sentenceStart = true;
            }
        }
        if (word.Length > 0)
        {
            raw.Add((word.ToString(), wordAtStart));
        }
        // A headline in Title Case capitalizes every word: its capitals say nothing about names.
        var titleCase = headline && raw.Count(r => r.Text.Length >= 4 && char.IsUpper(r.Text[0])) > 0.6 * Math.Max(1, raw.Count(r => r.Text.Length >= 4));
        foreach (var (text0, atStart) in raw)
        {
            var w = StoryText.Fold(text0);
            if (StoryText.IsStopWord(w) || (w.Length == 1 && !char.IsDigit(w[0])))
            {
                continue;
            }
            var stem = StoryText.Transliterate(StoryText.Stem(w));
            if (stem.Length == 0)
            {
                continue;
            }
            words.Add(new StoryText.Word(stem.Length > StoryText.StemLength ? stem[..StoryText.StemLength] : stem, !titleCase && char.IsUpper(text0[0]), atStart, false));
            if (words.Count >= max)
            {
                break;
            }
        }
        return words;
    }

    private static int[] Ids(List<StoryText.Word> words)
    {
        var set = new HashSet<int>();
        foreach (var w in words)
        {
            set.Add(StoryText.TermId(w.Term));
        }
        var terms = set.ToArray();
        Array.Sort(terms);
        return terms;
    }

    // Fingerprint.SimHash as it was: a vote per bit per shingle.
    private static ulong SimHash(List<string> words)
    {
        if (words.Count == 0)
        {
            return 0;
        }
        Span<int> votes = stackalloc int[64];
        if (words.Count == 1)
        {
            Vote(votes, Fingerprint.Hash64(words[0]));
        }
        for (var i = 0; i + 1 < words.Count; i++)
        {
            Vote(votes, Fingerprint.Hash64(words[i], words[i + 1]));
        }
        ulong result = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (votes[bit] > 0)
            {
                result |= 1UL << bit;
            }
        }
        return result;
    }

    private static void Vote(Span<int> votes, ulong hash)
    {
        for (var bit = 0; bit < 64; bit++)
        {
            votes[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
        }
    }
}
