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
        // Uri takes a host its own IDNA mapping refuses (a joiner, U+2066, U+061C ...; no browser
        // goes there): IdnHost, which every identity is made of, then throws.
        if (!Ascii.IsValid(parsed.Host) && !HasIdnHost(parsed))
        {
            return false;
        }
        uri = parsed;
        return true;
    }

    public static bool IsAbsoluteHttp(string? value) => IsAbsoluteHttp(value, out _);

    private static bool HasIdnHost(Uri uri)
    {
        try
        {
            return uri.IdnHost.Length > 0;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    // A URL as the CMS stores, shows (as link text too) and publishes it: each invisible or bidi
    // character percent-encoded (UTF-8), as a browser sends it, so the written address reads in
    // the order it goes and hides nothing, and still goes where the outlet's did (its identity,
    // LinkIdentity, is the same). Refusing such a URL would lose an otherwise valid item or link
    // over a character that only has to be made visible; other non-ASCII text stays readable.
    // The host is the exception: Uri (like a browser's IDNA mapping) reads a host *without* its
    // ignorable characters (U+00AD, U+200B, U+2060, U+FEFF ...), and a percent-encoded one is no
    // host at all, so there the host is written as Uri reads it (Host, or its ASCII form IdnHost
    // when even that keeps such a character): an absolute http(s) URL stays one, with the same
    // identity (Shown never changes IsAbsoluteHttp or LinkIdentity.Of).
    public static string Shown(string url)
    {
        // (Almost every URL is ASCII: one vectorized check.)
        if (Ascii.IsValid(url) || !url.EnumerateRunes().Any(UnicodeText.IsInvisibleOrBidi))
        {
            return url;
        }
        var encoded = Encoded(url);
        if (!IsAbsoluteHttp(url, out var uri) || SameLink(encoded, uri!))
        {
            return encoded;
        }
        if (WithHostAsRead(url, uri!) is { } shown && SameLink(shown, uri!))
        {
            return shown;
        }
        // (Not expected: a form Uri reads but the split above does not; what Uri reads, all ASCII.)
        return uri!.AbsoluteUri;
    }

    private static bool SameLink(string shown, Uri uri) =>
        IsAbsoluteHttp(shown, out var read) && LinkIdentity.Normalize(read!, keepFragment: true) == LinkIdentity.Normalize(uri, keepFragment: true);

    // The URL with its host replaced by the host Uri read, everything else encoded as Encoded does;
    // null when the authority cannot be found as the raw text's "scheme://[userinfo@]host[:port]".
    private static string? WithHostAsRead(string url, Uri uri)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }
        var start = scheme + 3;
        var end = url.AsSpan(start).IndexOfAny("/\\?#") is var slash and >= 0 ? start + slash : url.Length;
        var hostStart = url.LastIndexOf('@', end - 1, end - start) is var at and >= 0 ? at + 1 : start;
        var hostEnd = url.LastIndexOf(':', end - 1, end - hostStart) is var colon and >= 0 && url.AsSpan(colon + 1, end - colon - 1).IndexOfAnyExceptInRange('0', '9') < 0 ? colon : end;
        if (hostStart >= hostEnd || url[hostStart] == '[')
        {
            return null;
        }
        var host = uri.Host.EnumerateRunes().Any(UnicodeText.IsInvisibleOrBidi) ? uri.IdnHost : uri.Host;
        return Encoded(url[..hostStart]) + host + Encoded(url[hostEnd..]);
    }

    private static string Encoded(string url)
    {
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
