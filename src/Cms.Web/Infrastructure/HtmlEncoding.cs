using System.Text.Encodings.Web;
using System.Text.Unicode;
using Cms.Core.Text;

namespace Cms.Web.Infrastructure;

// The encoder Razor writes every string with. HtmlEncoder.Default passes Basic Latin only, so each
// letter of a Cyrillic, Greek or Chinese title became a 7-8 byte numeric entity (2-3 bytes in UTF-8)
// and the queue page weighed 96 KiB for 50 rows. This one passes the letters of every script. What
// the encoder never passes, whatever is allowed, stays encoded: < > & " ' +, controls (NUL, C0, C1),
// U+2028/U+2029, unpaired surrogates (as U+FFFD), non-characters, private use, and everything outside
// the Basic Multilingual Plane (emoji as &#x1F600;). The invisible and bidirectional controls the item
// format strips or refuses (UnicodeText.IsInvisibleOrBidi) stay encoded too, as before, so they
// remain visible in the page source; encoding does not neutralize them (a browser decodes
// &#x202E; into the override), so shown text never carries one where it would act: titles and
// excerpts are stripped (ItemParser, ExcerptSanitizer), names refused. The joiners a script or an
// emoji needs are kept and written as &#x200C;/&#x200D;, which render as the joiners. Only the HTML encoder changes: URLs keep UrlEncoder.Default
// (percent-encoded), since a Location header cannot carry a raw non-ASCII character.
public static class HtmlEncoding
{
    public static HtmlEncoder Encoder { get; } = Create();

    private static HtmlEncoder Create()
    {
        var settings = new TextEncoderSettings(UnicodeRanges.All);
        for (var c = '\0'; c < char.MaxValue; c++)
        {
            if (UnicodeText.IsInvisibleOrBidi(c))
            {
                settings.ForbidCharacter(c);
            }
        }
        return HtmlEncoder.Create(settings);
    }
}
