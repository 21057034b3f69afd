using System.Globalization;
using System.Net;
using System.Text;

namespace Cms.Core.Stories;

// An item's title and excerpt reduced to what story grouping compares: the distinct terms of the
// title, the distinct terms of title and excerpt, the names and numbers among them (Names holds
// both, Numbers the numbers only), and a 64-bit SimHash of the word pairs.
public sealed record StoryTerms(int[] Title, int[] All, int[] Names, int[] Numbers, ulong SimHash)
{
    public bool IsEmpty => All.Length == 0;

    // Stored form (items.story_term_ids): the three smaller lengths, then Title, All, Names and
    // Numbers one after the other; the SimHash is stored on its own (items.story_sim_hash).
    public int[] Pack()
    {
        var packed = new int[3 + Title.Length + All.Length + Names.Length + Numbers.Length];
        (packed[0], packed[1], packed[2]) = (Title.Length, Names.Length, Numbers.Length);
        var at = 3;
        foreach (var part in new[] { Title, All, Names, Numbers })
        {
            part.CopyTo(packed, at);
            at += part.Length;
        }
        return packed;
    }

    // Null when the array is not a packing (a truncated or foreign value): the caller analyses the text.
    public static StoryTerms? Unpack(int[] packed, ulong simHash)
    {
        if (packed.Length < 3 || packed[0] < 0 || packed[1] < 0 || packed[2] < 0)
        {
            return null;
        }
        var all = packed.Length - 3 - packed[0] - packed[1] - packed[2];
        if (all < 0)
        {
            return null;
        }
        var span = packed.AsSpan(3);
        var title = span[..packed[0]].ToArray();
        span = span[packed[0]..];
        var terms = span[..all].ToArray();
        span = span[all..];
        return new StoryTerms(title, terms, span[..packed[1]].ToArray(), span[packed[1]..].ToArray(), simHash);
    }
}

// Normalization shared by every story comparison: HTML stripped, NFKC, lower case, accents and
// ё folded, stop words dropped, a light English or Russian suffix stemmer, and Cyrillic
// transliterated to Latin so that names and numbers an English and a Russian telling share
// ("Путин"/"Putin", "Nvidia", "16%") become the same term. Names are the words written with a
// capital inside a sentence (in a title only when it is not written in Title Case) and numbers:
// two stories of the same kind (two earthquakes, two central banks) share their wording but not
// their names. Work is bounded: at most MaxWords words are read, whatever the excerpt's length.
public static class StoryText
{
    public const int MaxWords = 300;

    // Stems are cut to this length: it folds the inflections the suffix lists miss, at the price of
    // joining a few unrelated words, which the IDF weights then mostly ignore.
    public const int StemLength = 7;

    public const int MinFingerprintWords = 20;

    // Capital: written with a capital (and not in a Title Case headline); Start: first word of a
    // sentence; Name: judged a name or a number (see Mark).
    public readonly record struct Word(string Term, bool Capital, bool Start, bool Name);

    public static StoryTerms Analyze(string? title, string? excerpt)
    {
        var titleWords = Raw(title, MaxWords, headline: true);
        var bodyWords = Raw(excerpt, MaxWords - titleWords.Count, headline: false);
        var all = Mark([.. titleWords, .. bodyWords]);
        // The fingerprint is of the excerpt when it is long enough: a wire story reused by another
        // outlet keeps its body and gets a new headline ("UPDATE 1-...", "... - report").
        var printed = bodyWords.Count >= MinFingerprintWords ? bodyWords : all;
        return new StoryTerms(Distinct(titleWords), Distinct(all), Distinct(all.Where(w => w.Name).ToList()),
            Distinct(all.Where(w => char.IsDigit(w.Term[0])).ToList()), Fingerprint.SimHash(printed.Select(w => w.Term).ToList()));
    }

    // Stemmed, transliterated terms in reading order (stop words removed), names marked.
    public static List<Word> Words(string? text, int max = MaxWords, bool headline = false) => Mark(Raw(text, max, headline));

    // A name is a number, a word with a capital inside a sentence, or a word that starts at least two
    // sentences and is never written in lower case: "Nvidia said ... Nvidia shares rose ..." makes
    // Nvidia a name, one "Analysts said ..." does not make analysts one.
    private static List<Word> Mark(List<Word> words)
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

    private static List<Word> Raw(string? text, int max, bool headline)
    {
        var words = new List<Word>();
        if (string.IsNullOrWhiteSpace(text) || max <= 0)
        {
            return words;
        }
        var plain = StripHtml(text).Normalize(NormalizationForm.FormKC);
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
            var w = Fold(text0);
            if (StopWords.Contains(w) || (w.Length == 1 && !char.IsDigit(w[0])))
            {
                continue;
            }
            var stem = Transliterate(Stem(w));
            words.Add(new Word(stem.Length > StemLength ? stem[..StemLength] : stem, !titleCase && char.IsUpper(text0[0]), atStart, false));
            if (words.Count >= max)
            {
                break;
            }
        }
        return words;
    }

    // Tags removed and entities decoded; the excerpt is untrusted HTML, but only its words matter here.
    public static string StripHtml(string text)
    {
        if (text.IndexOf('<') < 0 && text.IndexOf('&') < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        var inTag = false;
        foreach (var c in text)
        {
            if (c == '<')
            {
                inTag = true;
                sb.Append(' ');
            }
            else if (c == '>' && inTag)
            {
                inTag = false;
            }
            else if (!inTag)
            {
                sb.Append(c);
            }
        }
        return WebUtility.HtmlDecode(sb.ToString());
    }

    // NFKC, lower case, combining marks removed (é -> e, й stays й: only marks that NFD splits
    // off a Latin letter are dropped), ё -> е.
    public static string Fold(string text)
    {
        if (FoldPlain(text) is { } plain)
        {
            return plain;
        }
        var decomposed = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        for (var i = 0; i < decomposed.Length; i++)
        {
            var c = decomposed[i];
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                // и + breve is й; е + diaeresis is ё, folded to е like Russian typesetting does.
                if (c == '\u0306' && sb.Length > 0 && sb[^1] == 'и')
                {
                    sb[^1] = 'й';
                }
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    // The common case without the two normalizations: a word of ASCII and plain Cyrillic letters is
    // NFKC already and has no marks to drop, so lower case (and ё -> е) is the whole fold.
    private static string? FoldPlain(string text)
    {
        var lower = text.ToLowerInvariant();
        var yo = false;
        foreach (var c in lower)
        {
            if (c == 'ё')
            {
                yo = true;
            }
            else if (c >= 0x80 && c is < 'а' or > 'я')
            {
                return null;
            }
        }
        return yo ? lower.Replace('ё', 'е') : lower;
    }

    public static string Stem(string word)
    {
        if (word.Length == 0 || char.IsDigit(word[0]))
        {
            return word;
        }
        var cyrillic = word[0] is >= 'а' and <= 'я';
        var endings = cyrillic ? RussianEndings : EnglishEndings;
        const int minStem = 3;
        foreach (var ending in endings)
        {
            if (word.Length - ending.Length >= minStem && word.EndsWith(ending, StringComparison.Ordinal))
            {
                return word[..^ending.Length];
            }
        }
        return word;
    }

    // Russian letters to Latin, close to the spellings English outlets use (BGN/PCGN without
    // apostrophes, so a soft sign never splits a word).
    public static string Transliterate(string word)
    {
        if (!word.Any(c => c is >= 'а' and <= 'я'))
        {
            return word;
        }
        var sb = new StringBuilder(word.Length + 4);
        foreach (var c in word)
        {
            sb.Append(c is >= 'а' and <= 'я' ? Latin[c - 'а'] : c.ToString());
        }
        return sb.ToString();
    }

    private static readonly string[] Latin =
    [
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
        "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
    ];

    // Longest first, so "ами" is tried before "и".
    private static readonly string[] RussianEndings = new[]
    {
        "иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "иях", "иям", "ием", "ться", "тся",
        "ая", "яя", "ое", "ее", "ую", "юю", "ой", "ей", "ий", "ый", "ом", "ем", "ах", "ях", "ов", "ев", "ам", "ям", "ии", "ия", "ие", "ых", "их",
        "ила", "ыла", "ала", "яла", "ела", "ило", "ало", "или", "али", "ели", "ать", "ять", "ить", "еть",
        "ил", "ла", "ло", "ли", "ть", "ет", "ют", "ут", "ат", "ят", "ит",
        "а", "я", "о", "е", "и", "ы", "у", "ю", "ь",
    }.OrderByDescending(e => e.Length).ToArray();

    // A final "e" or "y" goes too, so price/prices, rate/rates and company/companies meet.
    private static readonly string[] EnglishEndings = ["ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s", "e", "y"];

    private static int Hash(string term)
    {
        // FNV-1a over UTF-16 code units: stable across processes and versions, unlike string.GetHashCode.
        var h = 2166136261u;
        foreach (var c in term)
        {
            h = (h ^ c) * 16777619u;
        }
        // 0 is the items counter's key in story_term_counts.
        return h == 0 ? 1 : (int)h;
    }

    public static int TermId(string term) => Hash(term);

    private static int[] Distinct(List<Word> words)
    {
        var set = new HashSet<int>();
        foreach (var w in words)
        {
            set.Add(Hash(w.Term));
        }
        var terms = set.ToArray();
        Array.Sort(terms);
        return terms;
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        // English
        "a", "about", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
        "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
        "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of",
        "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "you", "your", "said", "says", "say", "new", "after", "amid", "over", "per", "via", "us",
        // Russian
        "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его", "но", "да", "ты",
        "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "её", "мне", "было", "вот", "от", "меня", "еще", "ещё", "нет", "о", "из",
        "ему", "теперь", "когда", "даже", "ну", "ли", "если", "уже", "или", "ни", "быть", "был", "него", "до", "вас", "нибудь",
        "уж", "вам", "ведь", "там", "потом", "себя", "ничего", "ей", "может", "они", "тут", "где", "есть", "надо", "ней", "для",
        "мы", "тебя", "их", "чем", "была", "сам", "чтоб", "без", "будто", "чего", "раз", "тоже", "себе", "под", "будет", "ж",
        "тогда", "кто", "этот", "того", "потому", "этого", "какой", "совсем", "ним", "здесь", "этом", "один", "почти", "мой",
        "тем", "чтобы", "нее", "были", "куда", "зачем", "всех", "никогда", "можно", "при", "наконец", "два", "об", "другой",
        "хоть", "после", "над", "больше", "тот", "через", "эти", "нас", "про", "всего", "них", "какая", "много", "разве", "три",
        "эту", "моя", "впрочем", "хорошо", "свою", "этой", "перед", "иногда", "лучше", "чуть", "том", "нельзя", "такой", "им",
        "более", "всегда", "конечно", "всю", "между", "это", "также", "заявил", "заявила", "сообщил", "сообщает", "года", "году",
    };
}
