using Cms.Application;
using Cms.Application.Users;

namespace Cms.Web.Pages.Admin.Users;

// An account's active sessions; the admin can end them all.
public sealed class SessionsModel(UserList list, UserSessions sessions) : UserActionPageModel(list)
{
    public IReadOnlyList<UserSessions.Row> Sessions { get; private set; } = [];

    protected override async Task LoadDetailsAsync(CancellationToken ct) => Sessions = await sessions.ListAsync(Id, ct);

    public override string Title => "Sessions";

    public override string Explanation => "Ending the sessions signs the account out everywhere at its next request.";

    public override string Button => "End all sessions";

    public override string ButtonClass => "btn-danger";

    protected override Task<Outcome> RunAsync(Actor actor, CancellationToken ct) => sessions.EndAllAsync(actor, Id, ct);
}
