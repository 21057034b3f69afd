using System.Collections;
using System.Globalization;
using System.Reflection;

namespace Cms.Application.Queue;

// A queue view as the query string its URL carries ("View.Category=news&View.State=New"), read and
// written by the properties of QueueView themselves, so a filter added there is saved with a view
// without a line here. The canonical form (sorted, empty values and page cursors left out) is what a
// saved view stores and what the queue compares to say which saved view is on screen.
public static class QueueViewText
{
    public const string Prefix = "View.";

    // Page cursors belong to one page, not to the view.
    private static readonly HashSet<string> NotSaved = [nameof(QueueView.After), nameof(QueueView.Before)];

    private static readonly Dictionary<string, PropertyInfo> Properties = typeof(QueueView)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && !NotSaved.Contains(p.Name))
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly QueueView Defaults = new();

    // The view a query string describes, or what is wrong with it (a value that does not fit its
    // field, an unknown field); the view's own Problems() are checked as well.
    public static (QueueView? View, string? Problem) Parse(string? query)
    {
        var view = new QueueView();
        foreach (var (key, value) in Pairs(query))
        {
            if (!key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !Properties.TryGetValue(key[Prefix.Length..], out var property))
            {
                return (null, $"'{key}' is not part of a queue view.");
            }
            if (value.Length == 0)
            {
                continue;
            }
            if (!TrySet(view, property, value))
            {
                return (null, $"'{value}' is not a valid value for {key}.");
            }
        }
        return view.Problems().FirstOrDefault() is { } problem ? (null, problem.Message) : (view, null);
    }

    // The canonical query string of a view: every value that differs from a new view's, by name.
    public static string Format(QueueView view)
    {
        var pairs = new List<(string Key, string Value)>();
        foreach (var property in Properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var value = property.GetValue(view);
            if (value is IList list)
            {
                pairs.AddRange(list.Cast<object?>().Select(Text).Where(v => v.Length > 0).Select(v => (Prefix + property.Name, v)));
            }
            else if (!Equals(value, property.GetValue(Defaults)) && Text(value) is { Length: > 0 } text)
            {
                pairs.Add((Prefix + property.Name, text));
            }
        }
        return string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    // The canonical form of a query string (or null when it is not a valid view).
    public static string? Canonical(string? query) => Parse(query).View is { } view ? Format(view) : null;

    private static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool TrySet(QueueView view, PropertyInfo property, string value)
    {
        var type = property.PropertyType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = type.GetGenericArguments()[0];
            if (!TryConvert(element, value, out var item))
            {
                return false;
            }
            ((IList)property.GetValue(view)!).Add(item);
            return true;
        }
        if (!TryConvert(Nullable.GetUnderlyingType(type) ?? type, value, out var converted))
        {
            return false;
        }
        property.SetValue(view, converted);
        return true;
    }

    private static bool TryConvert(Type type, string value, out object? result)
    {
        result = null;
        if (type == typeof(string))
        {
            result = value;
        }
        else if (type == typeof(bool) && bool.TryParse(value, out var b))
        {
            result = b;
        }
        else if (type == typeof(int) && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            result = i;
        }
        else if (type == typeof(long) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            result = l;
        }
        else if (type == typeof(DateOnly) && DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            result = d;
        }
        else if (type.IsEnum && Enum.TryParse(type, value, ignoreCase: false, out var e) && Enum.IsDefined(type, e!))
        {
            result = e;
        }
        return result is not null;
    }

    private static IEnumerable<(string Key, string Value)> Pairs(string? query)
    {
        foreach (var part in (query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = part.IndexOf('=');
            var key = Decode(at < 0 ? part : part[..at]);
            var value = at < 0 ? "" : Decode(part[(at + 1)..]);
            yield return (key, value);
        }
    }

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            // Malformed escapes stay as typed; the value is then refused as not fitting its field.
            return text;
        }
    }
}
