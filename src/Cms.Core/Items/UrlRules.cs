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

    // One item per story: scheme and host are case-insensitive, default ports and fragments
    // do not identify a different article. Path and query are kept as the outlet wrote them.
    // The same normalizer as a related link's identity (LinkIdentity), without the fragment.
    public static string NormalizeOriginalUrl(Uri uri) => LinkIdentity.Normalize(uri, keepFragment: false);
}
