using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Cms.Core.Text;

namespace Cms.Core.Items;

// Topics form one vocabulary regardless of case, blanks and Unicode spelling: "AI" and " ai" are one
// topic, and so are a precomposed "é" and "e" + U+0301, "Broken links" with a double or a
// no-break space (UnicodeText.CleanName), and "ΟΔΟΣ" and "οδος": the same key as categories
// (UnicodeText.NameKey, simple case folding; İ/ı/I and ß/"ss" stay apart). Every lookup,
// de-duplication and unique index goes through Normalize (the database's topics.normalized_name
// is cms_category_key(name), the same rule); every name that becomes a topic, from
// an imported file or typed by an editor, goes through TryClean.
public static class TopicNames
{
    // The width of the topics.name and normalized_name columns and of the editors' forms.
    public const int MaxLength = 100;

    // NFC before case folding, so both spellings of a letter fold to the same key.
    public static string Normalize(string name) => UnicodeText.NameKey(name);

    // The name as stored and shown (UnicodeText.CleanName), or why it cannot be a topic. Invisible and bidi
    // characters are refused, not stripped: a topic that looks like another is a spoofing attempt
    // or a mistake, and either way an editor should see it. Joiners a script or an emoji sequence
    // needs are part of the name (UnicodeText's one rule).
    public static bool TryClean(string name, [NotNullWhen(true)] out string? clean, [NotNullWhen(false)] out string? problem)
    {
        clean = null;
        var candidate = UnicodeText.CleanName(name);
        problem = candidate.Length switch
        {
            0 => "must not be empty",
            > MaxLength => string.Create(CultureInfo.InvariantCulture, $"is {candidate.Length:N0} characters, over the limit of {MaxLength:N0}"),
            _ => null,
        };
        problem ??= UnicodeText.NameProblem(candidate);
        if (problem is not null)
        {
            return false;
        }
        clean = candidate;
        return true;
    }
}
