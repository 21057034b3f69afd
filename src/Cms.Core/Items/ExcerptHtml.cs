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

    // AngleSharp's serialization (escapes & < > and no-break space) of the text without the
    // invisible characters, removed after decoding and before escaping.
    private sealed class ShownText : HtmlMarkupFormatter
    {
        public static new readonly ShownText Instance = new();

        public override string Text(ICharacterData text) => EscapeText(UnicodeText.StripInvisible(text.Data));
    }
}
