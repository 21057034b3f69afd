using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class ForcePasswordChangeModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Require a new password";

    public override string Explanation => "At the next sign-in the account must choose a new password before anything else; its sessions end now.";

    public override string Button => "Require a new password";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.ForcePasswordChangeAsync(actor, Id, ct);
}
