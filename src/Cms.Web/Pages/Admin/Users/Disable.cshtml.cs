using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class DisableModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Disable account";

    public override string Explanation => "A disabled account cannot sign in at all, and its sessions end now. It stays in the audit trail and can be enabled again.";

    public override string Button => "Disable";

    public override string ButtonClass => "btn-danger";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.DisableAsync(actor, Id, ct);
}
