using Cms.Application.Comments;
using Cms.Web.Infrastructure;
using Cms.Web.Live;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Items;

// An item's comment threads alone (no layout), fetched by talk.js when the live channel says a
// comment changed; the forms in it post to the item page.
public sealed class ThreadsModel(CommentThreads threads) : PageModel
{
    public TalkThreads Threads { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var panel = await threads.ForItemAsync(Actors.Of(HttpContext), id, ct);
        Threads = new TalkThreads(id, panel, handler => ViewUrls.Replace(Request.Query, $"/Items/Details/{id}", "handler", handler));
        return Page();
    }
}
