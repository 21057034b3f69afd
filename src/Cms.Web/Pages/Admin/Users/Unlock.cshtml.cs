using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class UnlockModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Unlock account";

    public override string Explanation => "The account can sign in again; lockouts from failed sign-ins are cleared too.";

    public override string Button => "Unlock";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.UnlockAsync(actor, Id, ct);
}
