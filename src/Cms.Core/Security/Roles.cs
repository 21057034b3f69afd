namespace Cms.Core.Security;

public static class Roles
{
    public const string Admin = "Admin";
    public const string Publisher = "Publisher";
    public const string Editor = "Editor";

    public static readonly IReadOnlyList<string> All = [Admin, Publisher, Editor];
}
