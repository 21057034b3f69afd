using System.Text;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Core.Talk;

// A mention as typed: where "@name" stands in the body. The account it names is resolved by the
// application (people are stored by account id and shown by their current name).
public sealed record MentionToken(int Start, int Length, string Name);

// A piece of a comment to render: plain text, an absolute http(s) link, or a mention of an account.
public sealed record CommentSegment(CommentSegmentKind Kind, string Text, string? UserId = null);

public enum CommentSegmentKind
{
    Text,
    Link,
    Mention,
}

// Comments are plain text: no markup is interpreted, a URL becomes a link only when it is absolute
// http(s), and "@name" at the start of a word is a mention. The rules are here so the handler, the
// page and the tests read one definition.
public static class CommentText
{
    public const int MaxLength = 4000;
    public const int MaxMentions = 20;

    // Why this body cannot be stored, or null. Line breaks and tabs are text here; other controls,
    // NUL and unpaired surrogates are not (PostgreSQL text cannot hold NUL).
    public static string? Problem(string? body)
    {
        if (body is null || !UnicodeText.ShowsSomething(body))
        {
            return "Write something first.";
        }
        if (body.Length > MaxLength)
        {
            return $"A comment holds at most {MaxLength} characters (this one has {body.Length}).";
        }
        var control = UnicodeText.FindControlCharacter(body, allowNewlines: true);
        if (control >= 0)
        {
            return $"The comment contains the control character {UnicodeText.Describe(body, control)} at character {control + 1}.";
        }
        var surrogate = UnicodeText.FindUnpairedSurrogate(body);
        return surrogate >= 0 ? $"The comment contains a broken character at character {surrogate + 1}." : null;
    }

    // Line endings as one form, the ends trimmed, and the invisible and bidi characters UnicodeText's
    // rule strips from titles removed (the joiners Persian or an emoji needs stay): what is stored
    // and compared. So the thread, a link's comment line, the inbox and the e-mail digest, which all
    // show the stored body, never draw a link reversed by an override ("…/report-exe.pdf" going to
    // "…/report-\u202Efdp.exe") or a mention split by a zero-width space.
    public static string Clean(string body) =>
        UnicodeText.StripInvisible(body.Replace("\r\n", "\n").Replace('\r', '\n')).Trim();

    // A body stored before Clean's rule, cleaned, with its mentions (where "@name" stood) moved to
    // where they stand in the cleaned text, in the same order (null: no longer a mention, so the
    // page shows its text as text). Clean only removes characters and never an '@', so the n-th
    // '@' of the body is the n-th of the cleaned one.
    public static (string Body, List<(int Start, int Length)?> Mentions) Reclean(string body, IEnumerable<(int Start, int Length)> mentions)
    {
        var clean = Clean(body);
        var moved = new List<(int Start, int Length)?>();
        foreach (var (start, length) in mentions)
        {
            if (start < 0 || length < 1 || start + length > body.Length || body[start] != '@')
            {
                moved.Add(null);
                continue;
            }
            var nth = body.AsSpan(0, start).Count('@');
            var at = -1;
            for (var i = 0; i <= nth; i++)
            {
                at = clean.IndexOf('@', at + 1);
                if (at < 0)
                {
                    break;
                }
            }
            var cleanLength = Clean(body.Substring(start, length)).Length;
            moved.Add(at >= 0 && cleanLength > 1 && at + cleanLength <= clean.Length ? (at, cleanLength) : null);
        }
        return (clean, moved);
    }

    // "@name" where the @ starts a word (so "bob@example.com" inside a sentence is not a mention);
    // trailing sentence punctuation is not part of the name.
    public static IReadOnlyList<MentionToken> Mentions(string body)
    {
        var found = new List<MentionToken>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '@' || (i > 0 && !StartsWord(body[i - 1])))
            {
                continue;
            }
            var end = i + 1;
            while (end < body.Length && !char.IsWhiteSpace(body[end]) && body[end] is not ('(' or ')' or '<' or '>' or '"' or '\'' or ','))
            {
                end++;
            }
            while (end > i + 1 && body[end - 1] is '.' or ';' or ':' or '!' or '?')
            {
                end--;
            }
            if (end > i + 1)
            {
                found.Add(new MentionToken(i, end - i, body[(i + 1)..end]));
            }
            i = end - 1;
        }
        return found;
    }

    private static bool StartsWord(char before) => char.IsWhiteSpace(before) || before is '(' or '[' or '"' or '\'' or ',';

    // The body cut into text, links and mentions (the mentions the application resolved, by where
    // they stand). Each segment is rendered encoded; only a Link segment becomes an anchor.
    public static IReadOnlyList<CommentSegment> Segments(string body, IReadOnlyList<(int Start, int Length, string UserId, string Name)> mentions)
    {
        var segments = new List<CommentSegment>();
        var at = 0;
        foreach (var m in mentions.Where(m => m.Start >= 0 && m.Start + m.Length <= body.Length).OrderBy(m => m.Start))
        {
            if (m.Start < at)
            {
                continue;
            }
            AddText(segments, body[at..m.Start]);
            segments.Add(new CommentSegment(CommentSegmentKind.Mention, "@" + m.Name, m.UserId));
            at = m.Start + m.Length;
        }
        AddText(segments, body[at..]);
        return segments;
    }

    // Text with its absolute http(s) URLs as links; anything else that looks like a URL stays text.
    private static void AddText(List<CommentSegment> segments, string text)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var scheme = text.AsSpan(i).StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
                : text.AsSpan(i).StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7 : 0;
            if (scheme == 0 || (i > 0 && char.IsLetterOrDigit(text[i - 1])))
            {
                i++;
                continue;
            }
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('<' or '>' or '"'))
            {
                end++;
            }
            while (end > i && text[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or '\'')
            {
                end--;
            }
            var url = text[i..end];
            if (UrlRules.IsAbsoluteHttp(url))
            {
                if (i > start)
                {
                    segments.Add(new CommentSegment(CommentSegmentKind.Text, text[start..i]));
                }
                segments.Add(new CommentSegment(CommentSegmentKind.Link, url));
                start = end;
            }
            i = Math.Max(end, i + 1);
        }
        if (start < text.Length)
        {
            segments.Add(new CommentSegment(CommentSegmentKind.Text, text[start..]));
        }
    }

    // A one-line preview for the inbox and e-mails.
    public static string Preview(string body, int max = 140)
    {
        // Two characters past the bound: the clip sees the one after its cut (a skin tone is two).
        var line = new StringBuilder(Math.Min(body.Length, max + 2));
        foreach (var c in body)
        {
            line.Append(char.IsWhiteSpace(c) ? ' ' : c);
            if (line.Length > max + 1)
            {
                break;
            }
        }
        var text = line.ToString().Trim();
        return text.Length > max ? UnicodeText.Clip(text, max, "").TrimEnd() + "…" : text;
    }
}
