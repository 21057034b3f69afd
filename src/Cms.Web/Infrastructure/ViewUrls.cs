using Microsoft.AspNetCore.WebUtilities;

namespace Cms.Web.Infrastructure;

// Views travel as query strings between the queue and the item pages.
public static class ViewUrls
{
    private static readonly HashSet<string> NotPartOfTheView = new(StringComparer.OrdinalIgnoreCase) { "handler", "View.After", "View.Before" };

    public static string Replace(IQueryCollection query, string path, string key, string? value)
    {
        var pairs = query.Where(p => !p.Key.Equals(key, StringComparison.OrdinalIgnoreCase) && !NotPartOfTheView.Contains(p.Key))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        if (value is not null)
        {
            pairs.Add(new(key, value));
        }
        return QueryHelpers.AddQueryString(path, pairs);
    }

    // The same view on another path, e.g. the next item's page.
    public static string On(IQueryCollection query, string path) => Replace(query, path, "handler", null);
}
