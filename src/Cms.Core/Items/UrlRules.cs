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
    public static string NormalizeOriginalUrl(Uri uri)
    {
        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme.ToLowerInvariant(),
            Host = uri.IdnHost.ToLowerInvariant(),
            Fragment = string.Empty,
        };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri.AbsoluteUri;
    }
}
