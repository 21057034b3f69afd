using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.WebUtilities;

namespace Cms.Web.Infrastructure;

// Views travel as query strings between the queue and the item pages. Only the queue view's own
// parameters (View.*) are carried from one URL to the next: anything else a link brings along
// (Input.*, Bulk.*) must never reach a form's action, where it could be bound on save.
public static class ViewUrls
{
    private const string ViewPrefix = "View.";

    // The page cursors belong to one page of one view; a new URL starts from the first page.
    private static readonly HashSet<string> NotPartOfTheView = new(StringComparer.OrdinalIgnoreCase) { "View.After", "View.Before" };

    public static bool IsViewParameter(string key) =>
        key.StartsWith(ViewPrefix, StringComparison.OrdinalIgnoreCase) && !NotPartOfTheView.Contains(key);

    public static string Replace(IQueryCollection query, string path, string key, string? value)
    {
        var pairs = query.Where(p => !p.Key.Equals(key, StringComparison.OrdinalIgnoreCase) && IsViewParameter(p.Key))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        if (value is not null)
        {
            pairs.Add(new(key, value));
        }
        return QueryHelpers.AddQueryString(path, pairs);
    }

    // The same view on another path, e.g. the next item's page.
    public static string On(IQueryCollection query, string path) => Replace(query, path, "handler", null);

    // A POST form's action on the queue page: the view's parameters in the address's order (a repeated
    // key joined by commas), then the handler, written as the form tag helper's link generation wrote
    // them (UrlEncoder.Default; empty values left out), without running the router for each form on
    // every page (docs/benchmarks.md, QUEUE9).
    public static string FormAction(HttpRequest request, string handler)
    {
        var url = new StringBuilder().Append(request.PathBase.Value).Append('/');
        var separator = '?';
        foreach (var (key, values) in request.Query)
        {
            var value = values.ToString();
            if (IsViewParameter(key) && value.Length > 0)
            {
                url.Append(separator).Append(UrlEncoder.Default.Encode(key)).Append('=').Append(UrlEncoder.Default.Encode(value));
                separator = '&';
            }
        }
        return url.Append(separator).Append("handler=").Append(handler).ToString();
    }
}
