using Cms.Application.Queue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Queue;

// "N new items" for a queue view (live.js asks after a live "queue" signal): the view's items that
// arrived after the newest id the page showed, exact up to the queue's count cap. A page of its
// own, so that asking never takes the queue page's status message.
public sealed class ArrivalsModel(QueueQuery queue) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(long since, CancellationToken ct)
    {
        if (View.Problems().Any() || !ModelState.IsValid)
        {
            return BadRequest();
        }
        var count = await queue.ArrivedSinceAsync(View, since, ct);
        return new JsonResult(new { count = Math.Min(count, QueueQuery.CountCap), more = count > QueueQuery.CountCap });
    }
}
