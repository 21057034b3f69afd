using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

// A person's own sessions (device, address, last seen); any of them can be ended from here.
public sealed class SessionsModel(UserSessions sessions) : PageModel
{
    public IReadOnlyList<UserSessions.Row> Sessions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Sessions = Actors.Of(HttpContext).UserId is { } id ? await sessions.ListAsync(id, ct) : [];

    public async Task<IActionResult> OnPostEndAsync(string sessionId, CancellationToken ct)
    {
        var outcome = await sessions.EndOwnAsync(Actors.Of(HttpContext), sessionId, ct);
        return await this.AnswerAsync(outcome, () =>
        {
            TempData["StatusMessage"] = outcome.Message;
            return RedirectToPage();
        }, async () =>
        {
            await OnGetAsync(ct);
            return Page();
        });
    }
}
