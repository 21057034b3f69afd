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

    // The view's parameters alone, e.g. for a form's action.
    public static Dictionary<string, string> Parameters(IQueryCollection query) =>
        query.Where(p => IsViewParameter(p.Key)).ToDictionary(p => p.Key, p => p.Value.ToString());
}
