namespace Cms.Core.Auditing;

// Every audit action the system writes, in one place: views filter on them, tests assert on them.
public static class AuditActions
{
    public const string ItemImported = "item.imported";
    public const string ItemSourceUpdated = "item.source-updated";
    public const string ItemRevisionReceived = "item.source-revision-received";
    public const string ItemRevisionAccepted = "item.revision-accepted";
    public const string ItemRevisionDismissed = "item.revision-dismissed";
    // The system re-read an item's stored source under the current text rules (StoredTextReread).
    public const string ItemTextReread = "item.text-reread";
    public const string CommentTextReread = "comment.text-reread";
    public const string ItemEdited = "item.edited";
    public const string ItemBulkEdited = "item.bulk-edited";

    // Workflow: every transition (item page, bulk, scheduler) and every refused one.
    public const string ItemStateChanged = "item.state-changed";
    public const string ItemTransitionRefused = "item.transition-refused";
    public const string ItemPublishScheduled = "item.publish-scheduled";
    public const string ItemPublishScheduleCancelled = "item.publish-schedule-cancelled";
    public const string ItemPublishScheduleFailed = "item.publish-schedule-failed";

    // The publishing worker's file operations.
    public const string PublishOutputWritten = "publish.output-written";
    public const string PublishOutputRemoved = "publish.output-removed";
    public const string PublishOutputFailed = "publish.output-failed";

    // Talk on the item: comments (edits and deletions keep the original text in the event),
    // assignment, and the inbox.
    public const string CommentAdded = "comment.added";
    public const string CommentEdited = "comment.edited";
    public const string CommentDeleted = "comment.deleted";
    public const string CommentResolved = "comment.resolved";
    public const string CommentReopened = "comment.reopened";
    public const string ItemAssigned = "item.assigned";
    public const string ItemUnassigned = "item.unassigned";
    public const string NotificationsRead = "notifications.read";
    public const string NotificationsEmailed = "notifications.emailed";
    public const string NotificationsEmailRefused = "notifications.email-refused";
    // Delivery: each published, corrected or withdrawn version as consuming sites see it, the sites
    // and their tokens, webhook endpoints and what their deliveries did.
    public const string DeliveryVersionRecorded = "delivery.version-recorded";
    public const string DeliverySiteCreated = "delivery.site-created";
    public const string DeliveryTokenRotated = "delivery.token-rotated";
    public const string DeliverySiteRevoked = "delivery.site-revoked";
    public const string DeliveryAccessRefused = "delivery.access-refused";
    public const string WebhookEndpointCreated = "webhook.endpoint-created";
    public const string WebhookSecretRotated = "webhook.secret-rotated";
    public const string WebhookEndpointDisabled = "webhook.endpoint-disabled";
    public const string WebhookEndpointEnabled = "webhook.endpoint-enabled";
    public const string WebhookEndpointDeleted = "webhook.endpoint-deleted";
    public const string WebhookDeliveryReplayed = "webhook.delivery-replayed";
    public const string WebhookDelivered = "webhook.delivered";
    public const string WebhookDeliveryFailed = "webhook.delivery-failed";

    public const string TopicCreated = "topic.created";
    public const string TopicRenamed = "topic.renamed";
    public const string TopicMerged = "topic.merged";
    public const string CategoryCreated = "category.created";
    // Written by the migration CategoriesOneRegardlessOfCase (CategoryCaseSql), by system:name-fold.
    public const string CategoryMerged = "category.merged";
    public const string ItemCategoryMerged = "item.category-merged";
    // Written by the migration TopicsOneRegardlessOfCase (TopicCaseSql), by system:name-fold, beside
    // its topic.merged events.
    public const string ItemTopicsMerged = "item.topics-merged";

    public const string UserCreated = "user.created";
    public const string UserRoleAdded = "user.role-added";
    public const string UserRoleChanged = "user.role-changed";
    public const string UserUnlocked = "user.unlocked";
    public const string UserPasswordReset = "user.password-reset";
    public const string UserLocked = "user.locked";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserPasswordChanged = "user.password-changed";
    public const string UserPasswordSet = "user.password-set";
    public const string UserPasswordChangeForced = "user.password-change-forced";
    public const string UserSetPasswordLinkIssued = "user.set-password-link-issued";
    public const string UserTwoFactorEnabled = "user.two-factor-enabled";
    public const string UserTwoFactorReset = "user.two-factor-reset";
    public const string UserRecoveryCodesGenerated = "user.recovery-codes-generated";

    public const string SignInSucceeded = "sign-in.succeeded";
    public const string SignInFailed = "sign-in.failed";
    public const string SignInLockedOut = "sign-in.locked-out";
    public const string SignInTwoFactorSucceeded = "sign-in.two-factor-succeeded";
    public const string SignInTwoFactorFailed = "sign-in.two-factor-failed";
    public const string SignInRecoveryCodeUsed = "sign-in.recovery-code-used";
    public const string SignedOut = "sign-out";
    public const string SessionEnded = "session.ended";

    public const string AuthorizationRefused = "authorization.refused";

    // Stories: an item merged into its story's lead (on the merged item, and on the lead with the
    // link it received), the merge undone by Reopen (on the lead: the added link removed or kept),
    // an item split out of its story or moved into another.
    public const string ItemMerged = "item.merged";
    public const string ItemMergeReceived = "item.merge-received";
    public const string ItemMergeUndone = "item.merge-undone";
    public const string ItemSplitFromStory = "item.split-from-story";
    public const string ItemMovedToStory = "item.moved-to-story";

    // The link checker found a related link's URL in another state (ok, moved, broken, ...).
    public const string LinkHealthChanged = "link.health-changed";

    // An editor replaced a moved related link's URL with the address the checker found (on the item).
    public const string LinkUrlReplaced = "link.url-replaced";

    // Saved queue views: made or changed, deleted, and one person's order or default among them.
    public const string ViewSaved = "view.saved";
    public const string ViewDeleted = "view.deleted";
    public const string ViewArranged = "view.arranged";
    // A view named before the name rule refused invisible characters, renamed by StoredTextReread.
    public const string ViewRenamedByRule = "view.renamed-by-rule";

    // Setup's data upgrades at migrate: links given their identity, comments moved to a link's identity.
    public const string LinkIdentitiesAssigned = "link.identities-assigned";
    public const string CommentsReanchored = "comment.reanchored";

    // Every constant above, for filters and the audit page's action list.
    public static IReadOnlyList<string> All { get; } = typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToList();
}

// What an event is about.
public static class AuditTargets
{
    public const string Item = "item";
    public const string Topic = "topic";
    public const string Category = "category";
    public const string User = "user";
    public const string Link = "link";
    public const string View = "view";
    public const string Site = "site";
    public const string Webhook = "webhook";
}
