using System.Globalization;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Live;

// The navigation bar's inbox link with the unread count (live.js keeps it current). A page that is
// already reporting a database failure still renders, without the count. Written directly rather
// than by a view component and its view: every page pays for it, and the markup holds nothing but
// a number (docs/benchmarks.md, issue 23 Build 5, QUEUE6).
public sealed class InboxLink(Application.Notifications.Inbox inbox, ILogger<InboxLink> log)
{
    public async Task<IHtmlContent> RenderAsync(HttpContext context)
    {
        int? unread = null;
        try
        {
            unread = await inbox.UnreadCountAsync(Actors.Of(context), context.RequestAborted);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning(ex, "inbox count unavailable");
        }
        return Html(unread);
    }

    internal static IHtmlContent Html(int? unread) => new HtmlString(unread > 0
        ? Start + ">" + unread.Value.ToString(CultureInfo.InvariantCulture) + End
        : Start + " hidden=\"hidden\">" + End);

    private const string Start = "<li class=\"nav-item\">\n    <a class=\"nav-link\" id=\"inbox-link\" href=\"/Inbox\">Inbox <span class=\"badge rounded-pill text-bg-primary\" id=\"inbox-count\" data-live=\"/live\" aria-label=\"unread\"";
    private const string End = "</span></a>\n</li>\n";
}
