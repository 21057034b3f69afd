namespace Cms.Core.Talk;

// Why a person finds something in their inbox. Each is written by the handler of its cause, in the
// cause's transaction.
public static class NotificationKinds
{
    public const string Mention = "mention";
    public const string Reply = "reply";
    public const string Assigned = "assigned";
    public const string SentBack = "sent-back";
    public const string Rejected = "rejected";
    public const string SourceRevision = "source-revision";
    public const string CommentOnReady = "comment-on-ready";

    public static readonly IReadOnlyList<string> All = [Mention, Reply, Assigned, SentBack, Rejected, SourceRevision, CommentOnReady];

    // How the inbox and the digest say it; the actor's name and the item's title go around it.
    public static string Describe(string kind) => kind switch
    {
        Mention => "mentioned you",
        Reply => "replied in a thread you are in",
        Assigned => "assigned an item to you",
        SentBack => "sent back an item you worked on",
        Rejected => "rejected an item you worked on",
        SourceRevision => "a new source revision arrived on an item you edited",
        CommentOnReady => "commented on an item you marked ready",
        _ => kind,
    };
}
