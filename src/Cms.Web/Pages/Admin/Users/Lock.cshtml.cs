using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class LockModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Lock account";

    public override string Explanation => "A locked account cannot sign in until an admin unlocks it, and its sessions end now.";

    public override string Button => "Lock";

    public override string ButtonClass => "btn-danger";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.LockAsync(actor, Id, ct);
}
