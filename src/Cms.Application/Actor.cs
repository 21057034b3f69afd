using System.Security.Claims;
using Cms.Core.Security;

namespace Cms.Application;

// Who is acting: a signed-in person, the command line or the system itself. Every handler takes
// one, checks its permissions and names it in the audit trail.
public sealed record Actor(string? UserId, string Name, IReadOnlySet<string> Permissions)
{
    public string? Ip { get; init; }
    public string? RequestId { get; init; }

    // The roles the permissions came from (a person's; empty for the command line and the system):
    // what a saved view shared with a role is matched against.
    public IReadOnlySet<string> Roles { get; init; } = new HashSet<string>();

    public bool Can(string permission) => Permissions.Contains(permission);

    private static readonly IReadOnlySet<string> Everything = Core.Security.Permissions.All.ToHashSet(StringComparer.Ordinal);

    // The pipeline and background work, e.g. "system:importer".
    public static Actor System(string name) => new(null, $"system:{name}", Everything);

    // An operator at the server's shell already holds every right the database gives them.
    public static Actor CommandLine() => new(null, $"cli:{Environment.UserName}", Everything);

    public static Actor FromPrincipal(ClaimsPrincipal user)
    {
        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new(user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity?.Name ?? "anonymous", Core.Security.Permissions.Of(roles))
        {
            Roles = roles,
        };
    }
}
