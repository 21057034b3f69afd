using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Live;

// The navigation bar's inbox link with the unread count (live.js keeps it current). A page that is
// already reporting a database failure still renders, without the count.
public sealed class InboxCountViewComponent(Application.Notifications.Inbox inbox, ILogger<InboxCountViewComponent> log) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        int? unread = null;
        try
        {
            unread = await inbox.UnreadCountAsync(Actors.Of(HttpContext), HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            log.LogWarning(ex, "inbox count unavailable");
        }
        return View(unread);
    }
}
