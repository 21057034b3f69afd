using System.Globalization;
using System.Text.RegularExpressions;
using Cms.Core.Items;

namespace Cms.Core.Links;

// What a related link's URL is found to be by the link checker.
public enum LinkHealth
{
    Unchecked,
    Ok,
    // Permanently redirected to a page that answers: the editor may replace the URL with the final one.
    Moved,
    // Failed, but not yet long enough to call it broken.
    Failing,
    // Failed repeatedly over at least a day (or answered 410 Gone).
    Broken,
    // The outlet refuses us (401, 403, 451).
    Blocked,
    // Not checked: the address is private, loopback or link-local.
    Refused,
}

// Settings "LinkCheck:*" (environment LinkCheck__Enabled, ...).
public sealed class LinkCheckSettings
{
    public const string SectionName = "LinkCheck";

    public bool Enabled { get; init; }

    // Politeness: one request at a time per host, at least this far apart (also across instances).
    public TimeSpan HostInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int MaxRedirects { get; init; } = 5;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    // A host that is being asked holds a lease this long; an instance that dies frees it by expiry.
    public TimeSpan HostLease { get; init; } = TimeSpan.FromMinutes(2);

    // Failing links are tried again after RetryFailing; they are broken once they have failed
    // BrokenFailures times over at least BrokenAfter.
    public TimeSpan RetryFailing { get; init; } = TimeSpan.FromHours(6);

    public TimeSpan BrokenAfter { get; init; } = TimeSpan.FromHours(24);

    public int BrokenFailures { get; init; } = 3;

    // Links that answered (ok, moved, broken, blocked, refused) are checked again after this.
    public TimeSpan Recheck { get; init; } = TimeSpan.FromDays(7);

    // A Retry-After longer than this is cut to it.
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromHours(1);

    // "Come back later" answers (429 or 503 with Retry-After) one check waits out in a row; the next
    // one settles it (a 429 as Blocked, a 503 as a failure), so a site that always asks to wait is
    // asked at most this many times more per check and its links do not stay unchecked for ever.
    public int MaxDeferrals { get; init; } = 5;

    // Hosts asked at once by one instance.
    public int Parallel { get; init; } = 4;

    // Bytes of a page read to look at its title (a ranged GET asks for no more).
    public int MaxBodyBytes { get; init; } = 16 * 1024;

    public string UserAgent { get; init; } = "CmsLinkChecker/1.0 (editorial back office; checks the related links editors approve; one request per host per second)";

    public void EnsureValid()
    {
        if (HostInterval < TimeSpan.Zero || MaxRedirects is < 0 or > 20 || RequestTimeout <= TimeSpan.Zero || HostLease <= RequestTimeout
            || RetryFailing <= TimeSpan.Zero || BrokenFailures < 1 || Recheck <= TimeSpan.Zero || Parallel < 1 || MaxBodyBytes < 256)
        {
            throw new ArgumentOutOfRangeException(SectionName, "LinkCheck: intervals must be positive, HostLease longer than RequestTimeout, MaxRedirects 0-20, Parallel and BrokenFailures at least 1");
        }
    }
}

// The pure rules of the link checker: status codes, redirects, Retry-After, soft 404s, when a
// failing link becomes broken.
public static partial class LinkRules
{
    // Links are identified by their URL, normalized as item URLs are (scheme and host in lower
    // case, no default port, no fragment).
    public static string? Key(string? url) => UrlRules.IsAbsoluteHttp(url, out var uri) ? UrlRules.NormalizeOriginalUrl(uri!) : null;

    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    public static bool IsPermanentRedirect(int status) => status is 301 or 308;

    // A server that does not do HEAD: ask again with a ranged GET.
    public static bool RefusesHead(int status) => status is 405 or 501;

    // A 429 without Retry-After (bot protection, a rate limit that does not say when) refuses the
    // checker; it says nothing about the article, so it never counts toward broken.
    public static bool IsBlocked(int status) => status is 401 or 403 or 429 or 451;

    // The URL with its host in ASCII (punycode) when it is not: an address a remote server chose
    // (a redirect's end, offered as a moved link's new address) shows and is published as what it
    // is, never as a look-alike (a Cyrillic "а" for a Latin "a" reads xn--pple-43d.com).
    public static string AsciiHost(Uri url) =>
        url.IdnHost == url.Host ? url.AbsoluteUri : new UriBuilder(url) { Host = url.IdnHost }.Uri.AbsoluteUri;

    public static bool IsSuccess(int status) => status is >= 200 and < 300;

    // Seconds or an HTTP date; null when absent or unreadable. Never negative.
    public static TimeSpan? RetryAfter(string? header, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        if (int.TryParse(header.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (DateTimeOffset.TryParseExact(header.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at > now ? at - now : TimeSpan.Zero;
        }
        return null;
    }

    // A 200 whose title says the page is not there: the whole title, or one of its parts around
    // "|", " - ", "—", ":" (the site's name is often one), is a not-found message. Words inside a
    // headline ("Missing hiker still not found", "Flight AI404", "не найдено" in a sentence) do not
    // count: such an article is not a soft 404.
    public static bool TitleSaysNotFound(string? html)
    {
        if (html is null)
        {
            return false;
        }
        var match = Title().Match(html);
        if (!match.Success)
        {
            return false;
        }
        var title = System.Net.WebUtility.HtmlDecode(match.Groups[1].Value).ToLowerInvariant();
        return TitleParts().Split(title).Select(p => Punctuation().Replace(p, " ").Trim()).Select(p => Spaces().Replace(p, " "))
            .Any(part => NotFoundMessage().IsMatch(part));
    }

    [GeneratedRegex(@"\s[-–—|·:]\s|\||—|–|:", RegexOptions.CultureInvariant)]
    private static partial Regex TitleParts();

    [GeneratedRegex(@"[!?.,;'\u2019()\[\]]", RegexOptions.CultureInvariant)]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    // The whole part is the message: "404", "error 404", "404 not found", "page not found", "sorry
    // this page does not exist", "страница не найдена", "ошибка 404", ...
    [GeneratedRegex(@"^(?:(?:http\s+)?(?:error|ошибка)\s*)?404(?:\s*(?:error|not found|page not found|file not found|страница не найдена))?$"
        + @"|^(?:(?:oops|sorry|error)\s*)*(?:(?:the|this)\s+)?(?:page|file|article|content|страница)?\s*(?:(?:was\s+|is\s+)?not found|(?:does not|doesn t|doesn't|cannot be|could not be|can t be|can't be)\s+(?:exist|found)|(?:is\s+)?no longer available|не найдена|не найдено)$",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex NotFoundMessage();

    [GeneratedRegex(@"<title[^>]*>([^<]{0,500})</title>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Title();

    // A deep link redirected to the site's home page: the article is gone (a soft 404).
    public static bool IsHomeRedirect(Uri from, Uri to) =>
        from.AbsolutePath.Trim('/').Length > 0 && to.AbsolutePath.Trim('/').Length == 0 && string.IsNullOrEmpty(to.Query.TrimStart('?'));

    // After a failure at `now`: the failures so far and since when, and whether the link is broken.
    public static (LinkHealth Health, int Failures, DateTimeOffset FirstFailure) AfterFailure(int failuresBefore, DateTimeOffset? firstFailure, DateTimeOffset now, bool gone, LinkCheckSettings settings)
    {
        var failures = failuresBefore + 1;
        var since = firstFailure ?? now;
        var broken = gone || (failures >= settings.BrokenFailures && now - since >= settings.BrokenAfter);
        return (broken ? LinkHealth.Broken : LinkHealth.Failing, failures, since);
    }
}
