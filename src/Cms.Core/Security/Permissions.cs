namespace Cms.Core.Security;

// Named permissions (OrchardCore style). Pages and handlers ask for a permission, never a role.
public static class Permissions
{
    public const string ReviewItems = nameof(ReviewItems);
    public const string ImportItems = nameof(ImportItems);
    public const string PublishItems = nameof(PublishItems);
    public const string ManageTopics = nameof(ManageTopics);
    public const string ViewAudit = nameof(ViewAudit);
    public const string ManageUsers = nameof(ManageUsers);

    // Sharing a saved queue view beyond one's own roles (with another role, or with everyone).
    public const string ShareViews = nameof(ShareViews);

    // Consuming sites (API and feed tokens) and webhook endpoints: they decide where published items go.
    public const string ManageDelivery = nameof(ManageDelivery);

    public static readonly IReadOnlyList<string> All = [ReviewItems, ImportItems, PublishItems, ManageTopics, ViewAudit, ManageUsers, ShareViews, ManageDelivery];

    // The one place roles map to permissions.
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByRole = new Dictionary<string, IReadOnlyList<string>>
    {
        [Roles.Admin] = All,
        [Roles.Publisher] = [ReviewItems, ImportItems, PublishItems, ManageTopics, ViewAudit, ShareViews],
        [Roles.Editor] = [ReviewItems, ImportItems],
    };

    public static IEnumerable<string> RolesWith(string permission) =>
        ByRole.Where(r => r.Value.Contains(permission)).Select(r => r.Key);

    public static IReadOnlySet<string> Of(IEnumerable<string> roles) =>
        roles.SelectMany(r => ByRole.TryGetValue(r, out var p) ? p : []).ToHashSet(StringComparer.Ordinal);
}
