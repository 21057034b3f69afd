using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Cms.Web.Tests.Infrastructure;

// Tests read a page as a browser does: parsed (AngleSharp, which HtmlSanitizer already brings), by
// element, attribute and text, not by matching the markup's spelling. Checks of escaping itself (what
// bytes reach the browser) stay on the raw text.
public static class Html
{
    private static readonly HtmlParser Parser = new();

    public static IDocument Parse(string html) => Parser.ParseDocument(html);

    // The first element the selector finds; fails the test, naming the selector, when there is none.
    public static IElement One(this IParentNode page, string selector) =>
        page.QuerySelector(selector) ?? throw new Xunit.Sdk.XunitException($"nothing on the page matches {selector}");

    // The value of the first form field with this name.
    public static string Field(this IParentNode page, string name) =>
        page.One($"[name=\"{name}\"]").GetAttribute("value") ?? "";

    public static string Field(string html, string name) => Parse(html).Field(name);

    // The href of the element with this id, or null when the page has none.
    public static string? Href(this IParentNode page, string id) => page.QuerySelector($"#{id}")?.GetAttribute("href");

    public static string? Href(string html, string id) => Parse(html).Href(id);

    // An element's text with its whitespace runs collapsed, as it reads on the page.
    public static string Text(this IElement element) =>
        string.Join(' ', element.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    // The texts of a table row's cells (th and td), in order.
    public static List<string> Cells(this IElement row) => row.Children.Where(c => c.LocalName is "td" or "th").Select(Text).ToList();
}
