using Cms.Application;
using Cms.Application.Notifications;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Inbox;

// A person's notifications, newest first, in keyset pages; each links to its item (and comment).
// Marking read is a form post, so the page works without JavaScript; live.js keeps the count in the
// navigation bar current.
public sealed class IndexModel(Application.Notifications.Inbox inbox) : PageModel
{
    public IReadOnlyList<Application.Notifications.Inbox.Entry> Entries { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Unread { get; set; }

    public long? OlderThan => Entries.Count == Application.Notifications.Inbox.PageSize ? Entries[^1].Id : null;

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Entries = await inbox.PageAsync(Actors.Of(HttpContext), Before, Unread, ct);

    public async Task<IActionResult> OnPostReadAsync(long id, CancellationToken ct) =>
        await DoneAsync(await inbox.MarkReadAsync(Actors.Of(HttpContext), [id], ct));

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct) =>
        await DoneAsync(await inbox.MarkReadAsync(Actors.Of(HttpContext), null, ct));

    // Refusals answer as every page's do (OutcomeAnswers); otherwise back to the list with the message.
    private Task<IActionResult> DoneAsync(Outcome outcome) => this.AnswerAsync(outcome, Back(outcome), Back(outcome));

    private Func<IActionResult> Back(Outcome outcome) => () =>
    {
        StatusMessage = outcome.Message;
        return RedirectToPage(new { Before, Unread });
    };

    public static string Link(Application.Notifications.Inbox.Entry entry) =>
        $"/Items/Details/{entry.ItemId}" + (entry.CommentId is { } c ? $"#comment-{c}" : "");
}
