using System.Globalization;
using System.Text;
using Cms.Core.Text;

namespace Cms.Core.Items;

public static class UrlRules
{
    public static bool IsAbsoluteHttp(string? value, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 4096)
        {
            return false;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var parsed))
        {
            return false;
        }
        if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }
        if (string.IsNullOrEmpty(parsed.Host))
        {
            return false;
        }
        uri = parsed;
        return true;
    }

    public static bool IsAbsoluteHttp(string? value) => IsAbsoluteHttp(value, out _);

    // A URL as the CMS stores, shows (as link text too) and publishes it: each invisible or bidi
    // character percent-encoded (UTF-8), as a browser sends it, so the written address reads in
    // the order it goes and hides nothing, and still goes where the outlet's did (its identity,
    // LinkIdentity, is the same). Refusing such a URL would lose an otherwise valid item or link
    // over a character that only has to be made visible; other non-ASCII text stays readable.
    public static string Shown(string url)
    {
        // (Almost every URL is ASCII: one vectorized check.)
        if (Ascii.IsValid(url) || !url.EnumerateRunes().Any(UnicodeText.IsInvisibleOrBidi))
        {
            return url;
        }
        var shown = new StringBuilder(url.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (!UnicodeText.IsInvisibleOrBidi(rune))
            {
                shown.Append(rune.ToString());
                continue;
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                shown.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return shown.ToString();
    }

    // One item per story: scheme and host are case-insensitive, default ports and fragments
    // do not identify a different article. Path and query are kept as the outlet wrote them.
    // The same normalizer as a related link's identity (LinkIdentity), without the fragment.
    public static string NormalizeOriginalUrl(Uri uri) => LinkIdentity.Normalize(uri, keepFragment: false);
}
