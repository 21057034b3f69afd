namespace Cms.Core.Auditing;

// Every audit action the system writes, in one place: views filter on them, tests assert on them.
public static class AuditActions
{
    public const string ItemImported = "item.imported";
    public const string ItemSourceUpdated = "item.source-updated";
    public const string ItemRevisionReceived = "item.source-revision-received";
    public const string ItemEdited = "item.edited";
    public const string ItemBulkEdited = "item.bulk-edited";
    public const string ItemStateChanged = "item.state-changed";

    public const string TopicCreated = "topic.created";
    public const string TopicRenamed = "topic.renamed";
    public const string TopicMerged = "topic.merged";
    public const string CategoryCreated = "category.created";

    public const string UserCreated = "user.created";
    public const string UserRoleAdded = "user.role-added";
    public const string UserRoleChanged = "user.role-changed";
    public const string UserUnlocked = "user.unlocked";
    public const string UserPasswordReset = "user.password-reset";

    public const string AuthorizationRefused = "authorization.refused";
}

// What an event is about.
public static class AuditTargets
{
    public const string Item = "item";
    public const string Topic = "topic";
    public const string Category = "category";
    public const string User = "user";
}
