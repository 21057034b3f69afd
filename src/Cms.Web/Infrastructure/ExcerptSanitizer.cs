using System.Text.Encodings.Web;
using Cms.Core.Items;
using Cms.Core.Text;
using Ganss.Xss;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Infrastructure;

// Untrusted excerpt HTML on the pages, under the one policy (Cms.Core's ExcerptHtml, which also
// makes the stored and published excerpt): a narrow allow-list, links only to http(s)/mailto with
// rel="noopener noreferrer nofollow", no styles, no forms.
public interface IExcerptSanitizer
{
    IHtmlContent Render(string? html);
}

public sealed class ExcerptSanitizer : IExcerptSanitizer
{
    // Sanitizing very large or deep HTML is slow (PLATFORM_NOTES.md); past this its text is shown.
    // The bound of a stored excerpt (the parser refuses a longer rendering), so every excerpt
    // imported under it is rendered; only rows stored before that bound can be over it.
    public const int MaxHtmlLength = ExcerptHtml.MaxStoredLength;

    private readonly HtmlSanitizer _sanitizer = ExcerptHtml.NewSanitizer();
    private readonly EncodingFormatter _formatter;

    // The encoder the pages are written with (HtmlEncoding, from the services).
    public ExcerptSanitizer(HtmlEncoder encoder)
    {
        _formatter = new EncodingFormatter(encoder);
    }

    public IHtmlContent Render(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return HtmlString.Empty;
        }
        // Rows stored before the shape bound (ExcerptHtml.ShapeProblem) may be too deep to parse on
        // each request; they are shown as text, as an over-long one is.
        if (html.Length > MaxHtmlLength || ExcerptHtml.ShapeProblem(html) is not null)
        {
            // Its text (tags dropped, references decoded), clipped after the extraction and encoded
            // once: never the HTML source read as text.
            return new HtmlContentBuilder().Append(ExcerptHtml.Text(html, MaxHtmlLength));
        }
        return new HtmlString(_sanitizer.Sanitize(html, "", _formatter));
    }

    // The kept text written by the pages' encoder, not AngleSharp's (which escapes only & < > and
    // no-break space): letters as they are, line separators encoded, as everywhere else on a page
    // and in the feeds. Bidi controls and zero-width characters are dropped from the decoded text,
    // as ExcerptHtml does (excerpts stored before it may still hold them, raw or as references).
    private sealed class EncodingFormatter(HtmlEncoder encoder) : AngleSharp.Html.HtmlMarkupFormatter
    {
        public override string Text(AngleSharp.Dom.ICharacterData text) => encoder.Encode(UnicodeText.StripInvisible(text.Data));
    }
}
