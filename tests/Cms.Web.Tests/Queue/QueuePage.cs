using AngleSharp.Dom;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// The queue page as the tests read it: its rows, their titles and cells, and the count per state.
public static class QueuePage
{
    public static IReadOnlyList<IElement> Rows(string html) => Html.Parse(html).QuerySelectorAll("tr[data-item-id]").ToList();

    // The titles of the rows, in order (the link in each row's second cell).
    public static List<string> Titles(string html) => Rows(html).Select(r => r.Children[1].One("a").TextContent).ToList();

    public static List<long> Ids(string html) => Rows(html).Select(r => long.Parse(r.GetAttribute("data-item-id")!)).ToList();

    // The count shown beside a state's filter box, as shown ("3", "about 12", "200+").
    public static string Count(string html, string state) => Html.Parse(html).One($"span.count-{state.ToLowerInvariant()}").TextContent;
}
