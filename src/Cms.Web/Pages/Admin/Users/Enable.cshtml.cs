using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class EnableModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Enable account";

    public override string Explanation => "The account can sign in again.";

    public override string Button => "Enable";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.EnableAsync(actor, Id, ct);
}
