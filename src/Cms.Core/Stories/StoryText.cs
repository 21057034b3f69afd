using System.Globalization;
using System.Net;
using System.Text;
using Cms.Core.Text;

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
    public static StoryTerms? Unpack(int[] packed, ulong simHash) => Unpack(packed.AsSpan(), simHash);

    public static StoryTerms? Unpack(ReadOnlySpan<int> packed, ulong simHash)
    {
        if (packed.Length < 3 || packed[0] < 0 || packed[1] < 0 || packed[2] < 0)
        {
            return null;
        }
        var rest = (long)packed.Length - 3 - packed[0] - packed[1] - packed[2];
        if (rest < 0)
        {
            return null;
        }
        var all = (int)rest;
        var span = packed[3..];
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
        var s = Scratch.Get();
        s.Read(title, MaxWords, headline: true);
        var titleWords = s.Words;
        s.Read(excerpt, MaxWords - titleWords, headline: false);
        var bodyWords = s.Words - titleWords;
        // The fingerprint is of the excerpt when it is long enough: a wire story reused by another
        // outlet keeps its body and gets a new headline ("UPDATE 1-...", "... - report").
        var printed = bodyWords >= MinFingerprintWords ? s.SimHash(titleWords, bodyWords) : s.SimHash(0, s.Words);
        return new StoryTerms(s.Distinct(Scratch.Select.Title), s.Distinct(Scratch.Select.All), s.Distinct(Scratch.Select.Names), s.Distinct(Scratch.Select.Numbers), printed);
    }

    // Stemmed, transliterated terms in reading order (stop words removed), names marked.
    public static List<Word> Words(string? text, int max = MaxWords, bool headline = false)
    {
        var s = Scratch.Get();
        s.Read(text, max, headline);
        return s.ToWords();
    }

    // The analysis of one item without a string per word: each word is folded, stemmed and
    // transliterated into buffers, and its term kept once per item (its characters, its id, what
    // Mark needs to know of it) in a small open-addressing table; strings are made only by the
    // rare words the plain fold does not cover. One per thread, reused: Analyze runs in parallel.
    private sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? _current;

        public static Scratch Get()
        {
            var s = _current ??= new Scratch();
            s.Reset();
            return s;
        }

        public enum Select { Title, All, Names, Numbers }

        // A kept word's term, flags as Mark reads them (Raw's Capital and Start).
        private const byte InTitle = 1, NameSeen = 2, LowerSeen = 4, Digit = 8;
        private const byte Capital = 1, Start = 2;

        // At most MaxWords words are kept and 2 * MaxWords words read per text: the buffers hold them.
        private const int Slots = 1024;
        private readonly int[] _slots = new int[Slots];
        private readonly char[] _termChars = new char[MaxWords * StemLength];
        private readonly int[] _termAt = new int[MaxWords];
        private readonly byte[] _termLength = new byte[MaxWords];
        private readonly int[] _termId = new int[MaxWords];
        private readonly ulong[] _termPrefix = new ulong[MaxWords];
        private readonly byte[] _termFlags = new byte[MaxWords];
        private readonly int[] _termStarts = new int[MaxWords];
        private readonly int[] _words = new int[MaxWords];
        private readonly byte[] _wordFlags = new byte[MaxWords];
        private readonly int[] _tokenAt = new int[2 * MaxWords];
        private readonly int[] _tokenLength = new int[2 * MaxWords];
        private readonly bool[] _tokenStart = new bool[2 * MaxWords];
        private readonly int[] _ids = new int[MaxWords];
        private readonly ulong[] _shingles = new ulong[MaxWords];
        private char[] _fold = new char[64];
        private int _terms;
        private int _charsUsed;

        public int Words { get; private set; }

        private void Reset()
        {
            if (_terms > 0)
            {
                Array.Clear(_slots);
            }
            _terms = 0;
            _charsUsed = 0;
            Words = 0;
        }

        // Raw: the text's words appended to those read so far, at most max more of them.
        public void Read(string? text, int max, bool headline)
        {
            if (string.IsNullOrWhiteSpace(text) || max <= 0)
            {
                return;
            }
            var plain = UnicodeText.Normalized(StripHtml(text), NormalizationForm.FormKC);
            var tokens = Tokens(plain, max);
            // A headline in Title Case capitalizes every word: its capitals say nothing about names.
            var titleCase = false;
            if (headline)
            {
                int longWords = 0, capitals = 0;
                for (var t = 0; t < tokens; t++)
                {
                    if (_tokenLength[t] >= 4)
                    {
                        longWords++;
                        capitals += char.IsUpper(plain[_tokenAt[t]]) ? 1 : 0;
                    }
                }
                titleCase = capitals > 0.6 * Math.Max(1, longWords);
            }
            Span<char> term = stackalloc char[StemLength];
            var kept = 0;
            for (var t = 0; t < tokens && kept < max; t++)
            {
                var raw = plain.AsSpan(_tokenAt[t], _tokenLength[t]);
                var w = Fold(raw);
                if (StopWordSpans.Contains(w) || (w.Length == 1 && !char.IsDigit(w[0])))
                {
                    continue;
                }
                var length = TransliterateInto(Stem(w), term);
                if (length == 0)
                {
                    // A word of hard and soft signs alone ("ъь") has no Latin letters: no term.
                    continue;
                }
                var capital = !titleCase && char.IsUpper(raw[0]);
                Add(term[..length], capital, _tokenStart[t], headline);
                kept++;
            }
        }

        // The words of plain in reading order, each (where, how long, starts a sentence), at most 2 * max.
        private int Tokens(string plain, int max)
        {
            var count = 0;
            int wordAt = 0, wordLength = 0;
            var sentenceStart = true;
            var wordAtStart = true;
            for (var i = 0; i < plain.Length; i++)
            {
                var c = plain[i];
                var letterOrDigit = char.IsLetterOrDigit(c);
                // Letters and digits part: "$35bn" is 35 and bn, as "35 billion" is 35 and billion.
                if (letterOrDigit && (wordLength == 0 || char.IsDigit(c) == char.IsDigit(plain[i - 1])))
                {
                    if (wordLength == 0)
                    {
                        wordAtStart = sentenceStart;
                        wordAt = i;
                    }
                    wordLength++;
                    continue;
                }
                if (wordLength > 0)
                {
                    (_tokenAt[count], _tokenLength[count], _tokenStart[count]) = (wordAt, wordLength, wordAtStart);
                    count++;
                    wordLength = 0;
                    sentenceStart = false;
                    if (count >= max * 2)
                    {
                        return count;
                    }
                }
                if (letterOrDigit)
                {
                    wordAtStart = false;
                    (wordAt, wordLength) = (i, 1);
                }
                else if (c is '.' or '!' or '?' or ':' or '\n' or '«' or '"' or '“')
                {
                    sentenceStart = true;
                }
            }
            if (wordLength > 0)
            {
                (_tokenAt[count], _tokenLength[count], _tokenStart[count]) = (wordAt, wordLength, wordAtStart);
                count++;
            }
            return count;
        }

        // StoryText.Fold into the buffer: lower case and ё -> е for ASCII and plain Cyrillic, the
        // string fold (NFKC, marks) for any other word.
        private ReadOnlySpan<char> Fold(ReadOnlySpan<char> raw)
        {
            // The kept buffer grows to the longest word up to maxKeptWord; a longer one (no word of a
            // language) is folded into an array of its own, so a thread keeps no huge buffer.
            const int maxKeptWord = 4096;
            if (raw.Length > _fold.Length && raw.Length <= maxKeptWord)
            {
                _fold = new char[Math.Max(raw.Length, 2 * _fold.Length)];
            }
            var fold = raw.Length <= _fold.Length ? _fold : new char[raw.Length];
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c < 0x80)
                {
                    fold[i] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
                }
                else if (c is >= 'а' and <= 'я')
                {
                    fold[i] = c;
                }
                else if (c is >= 'А' and <= 'Я')
                {
                    fold[i] = (char)(c + 0x20);
                }
                else if (c is 'ё' or 'Ё')
                {
                    fold[i] = 'е';
                }
                else
                {
                    return StoryText.Fold(raw.ToString());
                }
            }
            return fold.AsSpan(0, raw.Length);
        }

        private void Add(ReadOnlySpan<char> term, bool capital, bool start, bool title)
        {
            var id = Hash(term);
            var slot = id & (Slots - 1);
            int index;
            while (true)
            {
                index = _slots[slot] - 1;
                if (index < 0)
                {
                    index = _terms++;
                    term.CopyTo(_termChars.AsSpan(_charsUsed));
                    (_termAt[index], _termLength[index], _termId[index]) = (_charsUsed, (byte)term.Length, id);
                    _termPrefix[index] = (Fingerprint.Fnv(Fingerprint.Basis, term) ^ ' ') * Fingerprint.Prime;
                    (_termFlags[index], _termStarts[index]) = (char.IsDigit(term[0]) ? Digit : (byte)0, 0);
                    _charsUsed += term.Length;
                    _slots[slot] = index + 1;
                    break;
                }
                if (_termId[index] == id && _termChars.AsSpan(_termAt[index], _termLength[index]).SequenceEqual(term))
                {
                    break;
                }
                slot = (slot + 1) & (Slots - 1);
            }
            // Mark's rules, gathered as the words come: a number, or a capital inside a sentence, is
            // a name; a capital at a sentence's start counts towards one; lower case rules it out.
            ref var flags = ref _termFlags[index];
            if ((flags & Digit) != 0 || (capital && !start))
            {
                flags |= NameSeen;
            }
            else if (capital)
            {
                _termStarts[index]++;
            }
            else
            {
                flags |= LowerSeen;
            }
            if (title)
            {
                flags |= InTitle;
            }
            _words[Words] = index;
            _wordFlags[Words] = (byte)((capital ? Capital : 0) | (start ? Start : 0));
            Words++;
        }

        // A name is a number, a word with a capital inside a sentence, or a word that starts at least two
        // sentences and is never written in lower case: "Nvidia said ... Nvidia shares rose ..." makes
        // Nvidia a name, one "Analysts said ..." does not make analysts one.
        private bool IsName(int term) =>
            (_termFlags[term] & NameSeen) != 0 || (_termStarts[term] >= 2 && (_termFlags[term] & LowerSeen) == 0);

        // The distinct ids of the selected terms, sorted.
        public int[] Distinct(Select select)
        {
            var n = 0;
            for (var i = 0; i < _terms; i++)
            {
                var flags = _termFlags[i];
                var take = select switch
                {
                    Select.Title => (flags & InTitle) != 0,
                    Select.Names => IsName(i),
                    Select.Numbers => (flags & Digit) != 0,
                    _ => true,
                };
                if (take)
                {
                    _ids[n++] = _termId[i];
                }
            }
            var ids = _ids.AsSpan(0, n);
            ids.Sort();
            var distinct = 0;
            for (var i = 0; i < ids.Length; i++)
            {
                if (distinct == 0 || ids[i] != ids[distinct - 1])
                {
                    ids[distinct++] = ids[i];
                }
            }
            return ids[..distinct].ToArray();
        }

        // Fingerprint.SimHash of the terms of words[from..from + count), each shingle hashed from
        // the term's kept FNV prefix.
        public ulong SimHash(int from, int count)
        {
            if (count == 0)
            {
                return 0;
            }
            if (count == 1)
            {
                _shingles[0] = Fingerprint.Finish(Fingerprint.Fnv(Fingerprint.Basis, TermChars(_words[from])));
                return Fingerprint.SimHash(_shingles.AsSpan(0, 1));
            }
            for (var i = 0; i + 1 < count; i++)
            {
                _shingles[i] = Fingerprint.Finish(Fingerprint.Fnv(_termPrefix[_words[from + i]], TermChars(_words[from + i + 1])));
            }
            return Fingerprint.SimHash(_shingles.AsSpan(0, count - 1));
        }

        private ReadOnlySpan<char> TermChars(int term) => _termChars.AsSpan(_termAt[term], _termLength[term]);

        public List<Word> ToWords()
        {
            var words = new List<Word>(Words);
            for (var i = 0; i < Words; i++)
            {
                var term = _words[i];
                words.Add(new Word(TermChars(term).ToString(), (_wordFlags[i] & Capital) != 0, (_wordFlags[i] & Start) != 0, IsName(term)));
            }
            return words;
        }
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
        var decomposed = UnicodeText.Normalized(UnicodeText.Normalized(text, NormalizationForm.FormKC).ToLowerInvariant(), NormalizationForm.FormD);
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
        var stem = Stem(word.AsSpan());
        return stem.Length == word.Length ? word : stem.ToString();
    }

    private static ReadOnlySpan<char> Stem(ReadOnlySpan<char> word)
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
        if (!word.AsSpan().ContainsAnyInRange('а', 'я'))
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

    // Transliterate's first term.Length characters (the term is cut to StemLength anyway); returns how many.
    private static int TransliterateInto(ReadOnlySpan<char> word, Span<char> term)
    {
        var n = 0;
        foreach (var c in word)
        {
            if (c is >= 'а' and <= 'я')
            {
                foreach (var l in Latin[c - 'а'])
                {
                    if (n == term.Length)
                    {
                        return n;
                    }
                    term[n++] = l;
                }
            }
            else
            {
                if (n == term.Length)
                {
                    return n;
                }
                term[n++] = c;
            }
        }
        return n;
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

    private static int Hash(ReadOnlySpan<char> term)
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

    public static bool IsStopWord(string word) => StopWords.Contains(word);

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

    // After StopWords: static fields are initialized in order.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordSpans = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();
}
