using Cms.Application;
using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Admin.Users;

// A lost one-time link is replaced, not worked around: the new link is shown once, here.
public sealed class SetPasswordLinkModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "New set-password link";

    public override string Explanation => "Makes a new one-time link that sets this account's password (valid 24 hours). The earlier link stops working and the account's sessions end.";

    public override string Button => "Make a new link";

    public string? Link { get; private set; }

    private string? _token;

    protected override async Task<Outcome> RunAsync(Actor actor, CancellationToken ct)
    {
        var (result, token) = await users.ReissueSetPasswordLinkAsync(actor, Id, ct);
        _token = token;
        return result;
    }

    public override async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await RunAsync(Actors.Of(HttpContext), ct);
        if (!outcome.Succeeded || _token is null)
        {
            return await DoneAsync(outcome, ct);
        }
        await LoadAsync(ct);
        Link = Url.PageLink("/Account/SetPassword", values: new { userId = Id, token = _token });
        return Page();
    }
}
