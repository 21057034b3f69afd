using Cms.Application.Comments;

namespace Cms.Web.Live;

// What the comment threads' partial needs: the item, its threads, and the URL of each talk form's
// handler on the item page (carrying the queue view).
public sealed record TalkThreads(long ItemId, CommentThreads.Panel Panel, Func<string, string> FormUrl);
