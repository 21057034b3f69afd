using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

public sealed class ResetTwoFactorModel(UserList list, UserAdministration users) : UserActionPageModel(list)
{
    public override string Title => "Reset two-factor sign-in";

    public override string Explanation => "The authenticator app and the recovery codes stop working and the sessions end; the account signs in with its password and sets two-factor up again (admins must).";

    public override string Button => "Reset two-factor";

    public override string ButtonClass => "btn-danger";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => users.ResetTwoFactorAsync(actor, Id, ct);
}
