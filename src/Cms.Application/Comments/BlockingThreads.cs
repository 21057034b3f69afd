using Cms.Data;
using Cms.Data.Entities;

namespace Cms.Application.Comments;

// The one definition of "a blocking thread is open on the item" (Workflow refuses Mark ready and
// Publish while there is one): a thread's first comment, marked blocking, neither resolved nor
// deleted. Composed into the workflow's reads (the transitions, the schedule, the item page).
public static class BlockingThreads
{
    public static IQueryable<Comment> Open(CmsDbContext db) =>
        db.Comments.Where(c => c.ParentId == null && c.Blocking && c.ResolvedAt == null && c.DeletedAt == null);
}
