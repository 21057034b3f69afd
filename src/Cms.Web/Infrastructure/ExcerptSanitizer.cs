using System.Text.Encodings.Web;
using Cms.Core.Items;
using Ganss.Xss;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Infrastructure;

// The one place untrusted HTML is configured. Excerpts come from outlets: a narrow allow-list,
// links only to http(s)/mailto with rel="noopener noreferrer nofollow", no styles, no forms.
public interface IExcerptSanitizer
{
    IHtmlContent Render(string? html);
}

public sealed class ExcerptSanitizer : IExcerptSanitizer
{
    // Sanitizing very large or deep HTML is slow (PLATFORM_NOTES.md); past this it is shown as text.
    public const int MaxHtmlLength = 20_000;

    private static readonly HashSet<string> DropWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select", "svg", "math",
    };

    private readonly HtmlSanitizer _sanitizer;
    private readonly EncodingFormatter _formatter;

    // The encoder the pages are written with (HtmlEncoding, from the services).
    public ExcerptSanitizer(HtmlEncoder encoder)
    {
        _formatter = new EncodingFormatter(encoder);
        _sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
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
        _sanitizer.RemovingTag += (_, e) =>
        {
            if (DropWithContent.Contains(e.Tag.NodeName))
            {
                e.Tag.TextContent = string.Empty;
            }
        };
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { NodeName: "A" } link)
            {
                var href = link.GetAttribute("href") ?? "";
                // Protocol-relative and relative links are not allowed: absolute http(s) or mailto only.
                if (!href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && !UrlRules.IsAbsoluteHttp(href))
                {
                    link.RemoveAttribute("href");
                }
                link.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
    }

    public IHtmlContent Render(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return HtmlString.Empty;
        }
        if (html.Length > MaxHtmlLength)
        {
            var encoded = new HtmlContentBuilder();
            return encoded.Append(ItemParser.ShownExcerpt(html));
        }
        return new HtmlString(_sanitizer.Sanitize(html, "", _formatter));
    }

    // The kept text written by the pages' encoder, not AngleSharp's (which escapes only & < > and
    // no-break space): letters as they are, line separators encoded, as everywhere else on a page
    // and in the feeds. Bidi controls and zero-width characters are dropped by the excerpt rule
    // (ItemParser.ShownExcerpt): the import strips raw ones, but a character reference (&#x202E;)
    // becomes one only here, and an encoded override is applied by a browser or feed reader all
    // the same.
    private sealed class EncodingFormatter(HtmlEncoder encoder) : AngleSharp.Html.HtmlMarkupFormatter
    {
        public override string Text(AngleSharp.Dom.ICharacterData text) => encoder.Encode(ItemParser.ShownExcerpt(text.Data));
    }
}
