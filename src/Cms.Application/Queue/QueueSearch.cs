using System.Text.RegularExpressions;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Queue;

// The editors' search and provider filter (README "Editors' search"). User text never reaches
// to_tsquery as typed: it is cut into words of letters, marks and digits, so no tsquery operator,
// quote or backslash can be in them, and each word becomes its own query.
public static partial class QueueSearch
{
    public const int MaxWords = 16;
    public const int MaxWordLength = 100;

    // Shorter last words match whole: a one- or two-letter prefix expands to a large part of the
    // vocabulary and reads most of the GIN index.
    public const int MinPrefixLength = 3;

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")]
    private static partial Regex WordPattern();

    // The words of a search, in order: at most MaxWords, each at most MaxWordLength characters
    // (longer runs are not words anyone types and are left out).
    // ZWNJ and ZWJ inside a word are removed, not word breaks: the vector holds such a word whole
    // (migration SearchJoiners), so "می‌خواهم" is found typed with its ZWNJ or without it.
    public static List<string> Words(string? text) =>
        text is null ? [] : WordPattern().Matches(WithoutJoiners(text)).Select(m => m.Value).Where(w => w.Length <= MaxWordLength).Take(MaxWords).ToList();

    private static string WithoutJoiners(string text) =>
        text.AsSpan().IndexOfAny('\u200C', '\u200D') < 0 ? text : text.Replace("\u200C", "", StringComparison.Ordinal).Replace("\u200D", "", StringComparison.Ordinal);

    // Every word must be in the title or excerpt, in English, Russian or word-for-word ('simple')
    // form, accents folded (`cafe` finds "café"); a word in Arabic script also in Arabic stemmed form,
    // which the vector holds with attached particles taken off (`تحلية` finds "لتحلية"). The last
    // word also matches as the beginning of a word. Text without words matches nothing.
    public static IQueryable<Item> ByText(IQueryable<Item> q, string text)
    {
        var words = Words(text);
        if (words.Count == 0)
        {
            return q.Where(_ => false);
        }
        for (var i = 0; i < words.Count; i++)
        {
            var term = i == words.Count - 1 && words[i].Length >= MinPrefixLength ? words[i] + ":*" : words[i];
            // One condition per word, each an OR over the configurations the vector was built with,
            // so a query may mix languages; the GIN index serves all of them in one bitmap scan.
            q = IsArabic(words[i])
                ? q.Where(item => item.SearchVector!.Matches(EF.Functions.ToTsQuery("english_folded", term).Or(EF.Functions.ToTsQuery("russian_folded", term))
                    .Or(EF.Functions.ToTsQuery("simple_folded", term)).Or(EF.Functions.ToTsQuery("arabic", term))))
                : q.Where(item => item.SearchVector!.Matches(EF.Functions.ToTsQuery("english_folded", term).Or(EF.Functions.ToTsQuery("russian_folded", term))
                    .Or(EF.Functions.ToTsQuery("simple_folded", term))));
        }
        return q;
    }

    // Case-insensitive; every word typed must begin a word of the provider's name or a label of its
    // domain ("guardian" finds The Guardian, "bbc" finds bbc.co.uk, "bbc.co" needs both labels).
    public static IQueryable<Item> ByProvider(IQueryable<Item> q, string text)
    {
        var words = Words(text);
        if (words.Count == 0)
        {
            return q.Where(_ => false);
        }
        var query = string.Join(" & ", words.Select(w => w + ":*"));
        return q.Where(item => item.ProviderSearch!.Matches(EF.Functions.ToTsQuery("simple_folded", query)));
    }

    // The vector's Arabic part holds Arabic words only; other words need not look there.
    private static bool IsArabic(string word) => word.Any(c => c is >= '\u0621' and <= '\u064A');
}
