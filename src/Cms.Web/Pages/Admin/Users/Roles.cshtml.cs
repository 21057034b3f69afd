using Cms.Application;
using Cms.Application.Users;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Admin.Users;

// The account's roles; the change ends its sessions, so old rights are gone at the next request.
public sealed class RolesModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    [BindProperty]
    [FromForm]
    public List<string> Selected { get; set; } = [];

    public override string Title => "Change roles";

    public override string Explanation => "The account's sessions end with the change; it signs in again with the new roles.";

    public override string Button => "Save roles";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.SetRolesAsync(actor, Id, Selected, ct);
}
