using AngleSharp.Dom;
using AngleSharp.Html;
using Cms.Core.Text;
using Ganss.Xss;

namespace Cms.Core.Items;

// The one policy for an excerpt's untrusted HTML, and the excerpt as the CMS stores, shows and
// publishes it: what the sanitizer keeps (a narrow allow-list, links only to absolute http(s) or
// mailto, no styles, no forms), with invisible and bidi characters removed from the *decoded*
// text. Removing them from the source instead would join what they split into markup the outlet
// never sent (`<scr\u200Bipt>` into `<script>`, `&#x20\u200B2E;` into an override's reference),
// and a reference such as `&#x202E;` would stay an override for whoever renders the file.
public static class ExcerptHtml
{
    private static readonly HashSet<string> DropWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select", "svg", "math",
    };

    private static readonly HtmlSanitizer Shared = NewSanitizer();

    // A fresh instance of the policy (HtmlSanitizer is safe to share once configured; the pages
    // build their own to write with their encoder).
    public static HtmlSanitizer NewSanitizer()
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code" },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
            AllowedClasses = new HashSet<string>(),
        })
        {
            // Text inside an unknown wrapper (span, div) stays; dangerous elements go with their content.
            KeepChildNodes = true,
        };
        sanitizer.RemovingTag += (_, e) =>
        {
            if (DropWithContent.Contains(e.Tag.NodeName))
            {
                e.Tag.TextContent = string.Empty;
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { NodeName: "A" } link)
            {
                if (LinkTarget(link.GetAttribute("href") ?? "") is { } href)
                {
                    link.SetAttribute("href", href);
                }
                else
                {
                    link.RemoveAttribute("href");
                }
                link.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
        return sanitizer;
    }

    // Absolute http(s) or mailto only (no relative or protocol-relative links). An address with an
    // invisible or bidi character in it is written percent-encoded (UrlRules.Shown), as a browser
    // sends it: the link goes where its written form says.
    private static string? LinkTarget(string href)
    {
        if (UrlRules.IsAbsoluteHttp(href))
        {
            return UrlRules.Shown(href);
        }
        return href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && UnicodeText.FindInvisibleOrBidi(href) < 0 ? href : null;
    }

    // The excerpt as stored, shown and published. Plain text (no markup, no reference, no carriage
    // return, which an HTML parser reads as a line feed, and no invisible character) is what the
    // sanitizer would show, so it is kept as it is without a parse: the import's common case.
    public static string Shown(string received) =>
        IsPlainText(received) ? received : Sanitized(received);

    public static bool IsPlainText(string text) =>
        text.AsSpan().IndexOfAny(NotPlain) < 0 && UnicodeText.FindInvisibleOrBidi(text) < 0;

    private static readonly System.Buffers.SearchValues<char> NotPlain = System.Buffers.SearchValues.Create("<&\r");

    // The sanitizer's path whatever the text (Shown without its shortcut; tests and the bench).
    public static string Sanitized(string received) => Shared.Sanitize(received, "", ShownText.Instance);

    // The excerpt as plain text, for the places that show text, not markup (a related link's card,
    // a history diff, an over-long excerpt): tags dropped (with the content of the ones the
    // sanitizer drops with theirs), references decoded, a line break at a paragraph, a list item or
    // a <br>, invisible and bidi characters removed; the caller encodes it once. Clipped after the
    // extraction, so a cut never falls inside a tag, a reference or a surrogate pair. Stored
    // excerpts are bounded by the import's limits; a longer value is read up to MaxTextSource, cut
    // before a tag.
    public static string? Text(string? html, int maxChars = int.MaxValue)
    {
        if (html is null)
        {
            return null;
        }
        var text = IsPlainText(html) ? html : Extract(html);
        return Clip(text, maxChars);
    }

    public const int MaxTextSource = 200_000;

    private static readonly HashSet<string> Breaks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "br", "li", "ul", "ol", "blockquote", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table",
    };

    // With AngleSharp's tokenizer, not its tree builder: one pass, linear however deep the nesting
    // (building the tree of 20,000 nested elements took seconds).
    private static string Extract(string html)
    {
        if (html.Length > MaxTextSource)
        {
            var cut = html.LastIndexOf('<', MaxTextSource);
            html = html[..(cut > 0 ? cut : MaxTextSource)];
        }
        var tokenizer = new AngleSharp.Html.Parser.HtmlTokenizer(new AngleSharp.Text.TextSource(html), AngleSharp.Html.HtmlEntityProvider.Resolver);
        var text = new System.Text.StringBuilder(html.Length);
        string? dropping = null;
        var depth = 0;
        while (tokenizer.Get() is { Type: not AngleSharp.Html.Parser.HtmlTokenType.EndOfFile } token)
        {
            switch (token.Type)
            {
                case AngleSharp.Html.Parser.HtmlTokenType.Character when dropping is null:
                    text.Append(UnicodeText.StripInvisible(token.Data));
                    break;
                case AngleSharp.Html.Parser.HtmlTokenType.StartTag:
                    var name = token.Name.ToLowerInvariant();
                    // What the tree builder would tell the tokenizer: these hold text, not markup.
                    tokenizer.State = name switch
                    {
                        "script" => AngleSharp.Html.Parser.HtmlParseMode.Script,
                        "style" or "iframe" or "noembed" or "noframes" or "xmp" or "noscript" => AngleSharp.Html.Parser.HtmlParseMode.Rawtext,
                        "textarea" or "title" => AngleSharp.Html.Parser.HtmlParseMode.RCData,
                        "plaintext" => AngleSharp.Html.Parser.HtmlParseMode.Plaintext,
                        _ => tokenizer.State,
                    };
                    if (token.AsTag().IsSelfClosing)
                    {
                        Break(text, name, dropping);
                    }
                    else if (dropping is null && DropWithContent.Contains(name))
                    {
                        (dropping, depth) = (name, 1);
                    }
                    else if (dropping == name)
                    {
                        depth++;
                    }
                    else
                    {
                        Break(text, name, dropping);
                    }
                    break;
                case AngleSharp.Html.Parser.HtmlTokenType.EndTag:
                    var end = token.Name.ToLowerInvariant();
                    if (dropping == end && --depth == 0)
                    {
                        dropping = null;
                    }
                    else
                    {
                        Break(text, end, dropping);
                    }
                    break;
            }
        }
        return text.ToString().Trim();
    }

    private static void Break(System.Text.StringBuilder text, string tag, string? dropping)
    {
        if (dropping is null && Breaks.Contains(tag))
        {
            Break(text);
        }
    }

    private static void Break(System.Text.StringBuilder text)
    {
        while (text.Length > 0 && text[^1] is ' ' or '\t')
        {
            text.Length--;
        }
        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }
    }

    private static string Clip(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }
        var end = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..end] + "…";
    }

    // AngleSharp's serialization (escapes & < > and no-break space) of the text without the
    // invisible characters, removed after decoding and before escaping.
    private sealed class ShownText : HtmlMarkupFormatter
    {
        public static new readonly ShownText Instance = new();

        public override string Text(ICharacterData text) => EscapeText(UnicodeText.StripInvisible(text.Data));
    }
}
