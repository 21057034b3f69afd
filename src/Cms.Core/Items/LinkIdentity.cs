using Cms.Core.FrontMatter;
using Cms.Core.Text;

namespace Cms.Core.Items;

// A related link is identified by its `webUrl`, normalized: every decision, audit event, history
// line and output filter keys on this, never on the link's position in the source's list.
//
// The normalizer changes only what cannot change the page a reader's browser opens or what it
// shows there: scheme and host are lower-cased (the host as its IDNA ASCII form), a default port
// (:80 for http, :443 for https) is dropped, an empty path is "/", dot segments are resolved and
// characters are percent-encoded as .NET's Uri writes them (System.Uri, as browsers do for these
// schemes). Everything else stays as the outlet wrote it: path case, a trailing slash (/a and /a/
// can be different pages), the query (it often names the article: ?id=123) and the fragment (a
// text fragment, #:~:text=..., changes what the page highlights). So a link whose URL changed in
// any of those ways is a new link, to be decided again.
//
// A value that is not an absolute http(s) URL on one clean line has no identity: such an entry can
// never be approved and is never published.
public static class LinkIdentity
{
    // The longest identity a related link may have. Links are unique per item by identity in a
    // btree index, whose rows hold at most 2,704 bytes; non-ASCII characters grow to nine bytes
    // each once percent-encoded, so a URL well within the importer's 2,048 characters can be over.
    // Every writer of related links (import, merge, "use the new URL") refuses such a URL with
    // TooLong's reason instead of failing in the database.
    public const int MaxLength = 2_600;

    // Why the identity cannot be a link's (to follow the field's name), or null when it fits.
    public static string? TooLong(string identity)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(identity);
        return bytes > MaxLength
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"is too long to be a related link: {bytes:N0} bytes once normalized, over the limit of {MaxLength:N0}")
            : null;
    }

    public static string? Of(string? webUrl)
    {
        if (webUrl is null || UnicodeText.ControlProblem(webUrl, allowNewlines: false) is not null || !UrlRules.IsAbsoluteHttp(webUrl, out var uri))
        {
            return null;
        }
        return Normalize(uri!, keepFragment: true);
    }

    // Why a URL (with its identity) taken from elsewhere than a source (the address a moved link now
    // lives at) cannot be a related link's, or null when it can: it meets what an imported link
    // meets, the importer's limit for any URL and the identity's (TooLong).
    public static string? Unfit(string url, string identity, int maxUrlLength) =>
        url.Length > maxUrlLength
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"is {url.Length:N0} characters, over the limit of {maxUrlLength:N0}")
            : TooLong(identity);

    // The identity of one entry of a source's `related` list (null: not a mapping, no usable webUrl).
    public static string? OfEntry(SourceNode entry) =>
        entry is SourceMapping link && link["webUrl"] is SourceScalar { IsNull: false } url ? Of(url.Value) : null;

    // Each entry's identity in list order; an entry whose identity an earlier entry already has is a
    // duplicate and gets none (Duplicate says whose), so one URL is one link: the first entry.
    public static IReadOnlyList<(string? Identity, int? DuplicateOf)> Assign(IEnumerable<string?> identities)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<(string?, int?)>();
        foreach (var identity in identities)
        {
            var position = result.Count;
            if (identity is null)
            {
                result.Add((null, null));
            }
            else if (first.TryGetValue(identity, out var earlier))
            {
                result.Add((null, earlier));
            }
            else
            {
                first.Add(identity, position);
                result.Add((identity, null));
            }
        }
        return result;
    }

    // The one normalizer (UrlRules.NormalizeOriginalUrl is this without the fragment).
    internal static string Normalize(Uri uri, bool keepFragment)
    {
        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme.ToLowerInvariant(),
            Host = uri.IdnHost.ToLowerInvariant(),
        };
        if (!keepFragment)
        {
            builder.Fragment = string.Empty;
        }
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri.AbsoluteUri;
    }
}
