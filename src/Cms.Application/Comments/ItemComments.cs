using Cms.Application.Auditing;
using Cms.Application.Notifications;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Core.Talk;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Cms.Core.Text;

namespace Cms.Application.Comments;

// Talk on an item: write, reply (one level), edit and delete within the author's window, resolve
// and reopen a thread. Each change is one transaction with its audit event (edits and deletions
// keep the original text there) and the inbox entries it causes.
public sealed class ItemComments(CmsDbContext db, CommentOptions options)
{
    public sealed record NewComment(long ItemId, string? Body, long? ReplyTo = null, string? AnchorField = null, string? AnchorUrl = null, bool Blocking = false);

    public async Task<Outcome<long>> AddAsync(Actor actor, NewComment request, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.CommentAdded, request.ItemId, ct) is { } refused)
        {
            return refused;
        }
        if (CommentText.Problem(request.Body) is { } problem)
        {
            return Outcome.Invalid("Body", problem);
        }
        var body = CommentText.Clean(request.Body!);
        var item = await db.Items.AsNoTracking().Where(i => i.Id == request.ItemId)
            .Select(i => new { i.Id, i.State, i.ReadyBy }).SingleOrDefaultAsync(ct);
        if (item is null)
        {
            return Outcome.NotFound();
        }
        Comment? parent = null;
        if (request.ReplyTo is { } replyTo)
        {
            parent = await db.Comments.AsNoTracking().SingleOrDefaultAsync(c => c.Id == replyTo && c.ItemId == item.Id, ct);
            if (parent is null)
            {
                return Outcome.Invalid("ReplyTo", "The comment you reply to is not on this item.");
            }
            if (parent.ParentId is not null)
            {
                return Outcome.Invalid("ReplyTo", "Replies go to the thread's first comment (one level of replies).");
            }
            if (request.Blocking || request.AnchorField is not null || request.AnchorUrl is not null)
            {
                return Outcome.Invalid("ReplyTo", "A reply takes its thread's anchor and cannot block on its own.");
            }
        }
        var (field, url, anchorProblem) = await AnchorAsync(item.Id, request.AnchorField, request.AnchorUrl, ct);
        if (anchorProblem is not null)
        {
            return Outcome.Invalid("Anchor", anchorProblem);
        }
        var now = DateTimeOffset.UtcNow;
        var (mentions, mentionProblem) = await Mentions.ResolveAsync(db, body, now, ct);
        if (mentionProblem is not null)
        {
            return Outcome.Invalid("Body", mentionProblem);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The item is held before its comments are counted, so two comments added at once cannot
        // both pass the cap (and a blocking one waits for a move in progress, see LockItemAsync).
        await LockItemAsync(item.Id, ct);
        if (await db.Comments.CountAsync(c => c.ItemId == item.Id, ct) >= options.MaxPerItem)
        {
            return Outcome.Invalid("Body", $"This item already has {options.MaxPerItem} comments, the most one item holds; resolve its threads and talk elsewhere.");
        }
        var comment = new Comment
        {
            ItemId = item.Id,
            ParentId = parent?.Id,
            AuthorId = actor.UserId!,
            Body = body,
            AnchorField = field,
            AnchorUrl = url,
            Blocking = request.Blocking,
            CreatedAt = now,
        };
        comment.Mentions.AddRange(mentions.Select(m => new CommentMention { Start = m.Start, Length = m.Length, UserId = m.UserId }));
        db.Comments.Add(comment);
        await db.SaveChangesAsync(ct);

        // One entry per person and comment, the most specific reason first.
        var told = new HashSet<string>(StringComparer.Ordinal) { actor.UserId! };
        foreach (var mentioned in mentions.Select(m => m.UserId).Distinct())
        {
            if (told.Add(mentioned))
            {
                Notifier.Add(db, actor, mentioned, NotificationKinds.Mention, item.Id, now, comment.Id);
            }
        }
        if (parent is not null)
        {
            var thread = await db.Comments.AsNoTracking().Where(c => c.Id == parent.Id || c.ParentId == parent.Id)
                .Select(c => c.AuthorId).Distinct().Where(a => People.Readers.Of(db, now).Any(u => u.Id == a)).ToListAsync(ct);
            foreach (var participant in thread.Where(told.Add))
            {
                Notifier.Add(db, actor, participant, NotificationKinds.Reply, item.Id, now, comment.Id);
            }
        }
        if (item.State == WorkflowState.Ready && item.ReadyBy is { } readyBy && !told.Contains(readyBy)
            && await People.Readers.Of(db, now).AnyAsync(u => u.Id == readyBy, ct))
        {
            told.Add(readyBy);
            Notifier.Add(db, actor, readyBy, NotificationKinds.CommentOnReady, item.Id, now, comment.Id);
        }
        AuditLog.Add(db, actor, AuditActions.CommentAdded, AuditTargets.Item, item.Id.ToString(), new
        {
            comment = comment.Id,
            replyTo = parent?.Id,
            anchorField = field,
            anchorUrl = url,
            blocking = request.Blocking,
            body,
            mentions = mentions.Select(m => m.UserId).Distinct().ToList(),
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(comment.Id, request.Blocking ? "Comment added; it blocks Mark ready and Publish until resolved." : "Comment added.");
    }

    public async Task<Outcome> EditAsync(Actor actor, long commentId, string? newBody, CancellationToken ct)
    {
        var (comment, refusal) = await OwnAsync(actor, commentId, AuditActions.CommentEdited, ct);
        if (comment is null)
        {
            return refusal!;
        }
        if (CommentText.Problem(newBody) is { } problem)
        {
            db.ChangeTracker.Clear();
            return Outcome.Invalid("Body", problem);
        }
        var body = CommentText.Clean(newBody!);
        if (body == comment.Body)
        {
            db.ChangeTracker.Clear();
            return Outcome.Ok("Nothing to save.");
        }
        var now = DateTimeOffset.UtcNow;
        var (mentions, mentionProblem) = await Mentions.ResolveAsync(db, body, now, ct);
        if (mentionProblem is not null)
        {
            db.ChangeTracker.Clear();
            return Outcome.Invalid("Body", mentionProblem);
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = comment.Body;
        var mentionedBefore = comment.Mentions.Select(m => m.UserId).ToHashSet(StringComparer.Ordinal);
        comment.Body = body;
        comment.EditedAt = now;
        comment.Mentions.Clear();
        await db.SaveChangesAsync(ct);
        comment.Mentions.AddRange(mentions.Select(m => new CommentMention { Start = m.Start, Length = m.Length, UserId = m.UserId }));
        // Only people newly mentioned by the edit hear of it.
        foreach (var mentioned in mentions.Select(m => m.UserId).Distinct().Where(m => !mentionedBefore.Contains(m)))
        {
            Notifier.Add(db, actor, mentioned, NotificationKinds.Mention, comment.ItemId, now, comment.Id);
        }
        AuditLog.Add(db, actor, AuditActions.CommentEdited, AuditTargets.Item, comment.ItemId.ToString(),
            new { comment = comment.Id, before, after = body, mentions = mentions.Select(m => m.UserId).Distinct().ToList() });
        return await CommitAsync(tx, "Comment changed.", ct);
    }

    // The row stays, without its text, so replies keep their thread; the audit keeps the text.
    public async Task<Outcome> DeleteAsync(Actor actor, long commentId, CancellationToken ct)
    {
        var (comment, refusal) = await OwnAsync(actor, commentId, AuditActions.CommentDeleted, ct);
        if (comment is null)
        {
            return refusal!;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = comment.Body;
        comment.Body = "";
        comment.DeletedAt = DateTimeOffset.UtcNow;
        comment.Mentions.Clear();
        AuditLog.Add(db, actor, AuditActions.CommentDeleted, AuditTargets.Item, comment.ItemId.ToString(),
            new { comment = comment.Id, before, blocking = comment.Blocking && comment.ResolvedAt is null });
        return await CommitAsync(tx, "Comment deleted.", ct);
    }

    // Resolve or reopen a thread (its first comment); anyone who may review items may.
    public async Task<Outcome> ResolveAsync(Actor actor, long commentId, bool resolved, CancellationToken ct)
    {
        var comment = await db.Comments.SingleOrDefaultAsync(c => c.Id == commentId, ct);
        if (comment is null)
        {
            return Outcome.NotFound();
        }
        if (await RefuseAsync(actor, resolved ? AuditActions.CommentResolved : AuditActions.CommentReopened, comment.ItemId, ct) is { } refused)
        {
            return refused;
        }
        if (comment.ParentId is not null || comment.DeletedAt is not null)
        {
            db.ChangeTracker.Clear();
            return Outcome.Invalid("Comment", "Only a thread that is still there can be resolved or reopened.");
        }
        if ((comment.ResolvedAt is not null) == resolved)
        {
            db.ChangeTracker.Clear();
            return Outcome.Ok(resolved ? "Already resolved." : "Already open.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!resolved && comment.Blocking)
        {
            await LockItemAsync(comment.ItemId, ct);
        }
        comment.ResolvedAt = resolved ? DateTimeOffset.UtcNow : null;
        comment.ResolvedBy = resolved ? actor.UserId ?? actor.Name : null;
        AuditLog.Add(db, actor, resolved ? AuditActions.CommentResolved : AuditActions.CommentReopened, AuditTargets.Item, comment.ItemId.ToString(),
            new { comment = comment.Id, blocking = comment.Blocking });
        return await CommitAsync(tx, resolved ? "Thread resolved." : "Thread reopened.", ct);
    }

    // A thread that starts blocking waits for a move of its item in progress (TransitionBatch locks
    // the rows before counting open blocking threads), so the move either sees it or came first.
    private Task LockItemAsync(long itemId, CancellationToken ct) => Items.ItemLocks.HoldAsync(db, [itemId], ct);

    private async Task<Outcome> CommitAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, string message, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Outcome.Ok(message);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Outcome.Conflict("The comment changed meanwhile; look again.");
        }
    }

    // Comments are written by people with an account who may review items (the one guard).
    private async Task<Outcome?> RefuseAsync(Actor actor, string attempted, long itemId, CancellationToken ct)
    {
        var attempt = new Attempt(attempted, AuditTargets.Item, itemId.ToString());
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Commenting", attempt, ct) is { } refused)
        {
            return refused;
        }
        return actor.UserId is null
            ? await Guard.RefuseAsync(db, actor, attempt, "an account is required", "Comments are written by people signed in with an account.", ct)
            : null;
    }

    // The author's own comment, still there, within the edit window.
    private async Task<(Comment? Comment, Outcome? Refusal)> OwnAsync(Actor actor, long commentId, string attempted, CancellationToken ct)
    {
        var comment = await db.Comments.Include(c => c.Mentions).SingleOrDefaultAsync(c => c.Id == commentId, ct);
        if (comment is null || comment.DeletedAt is not null)
        {
            db.ChangeTracker.Clear();
            return (null, Outcome.NotFound("That comment is not there (any more)."));
        }
        if (await RefuseAsync(actor, attempted, comment.ItemId, ct) is { } refused)
        {
            return (null, refused);
        }
        if (comment.AuthorId != actor.UserId)
        {
            return (null, await Guard.RefuseAsync(db, actor, new Attempt(attempted, AuditTargets.Item, comment.ItemId.ToString()), "not the author",
                "Only its author may change or delete a comment.", ct));
        }
        if (DateTimeOffset.UtcNow - comment.CreatedAt > options.EditWindow)
        {
            db.ChangeTracker.Clear();
            return (null, Outcome.Invalid("Comment", $"A comment can be changed or deleted for {options.EditWindow.TotalMinutes:0} minutes after it was written; reply instead."));
        }
        return (comment, null);
    }

    // A field by name, or a related link by its URL (normalized, compared with the item's links).
    private async Task<(string? Field, string? Url, string? Problem)> AnchorAsync(long itemId, string? field, string? url, CancellationToken ct)
    {
        field = string.IsNullOrWhiteSpace(field) ? null : field.Trim();
        url = string.IsNullOrWhiteSpace(url) ? null : url.Trim();
        if (field is not null && url is not null)
        {
            return (null, null, "Anchor a comment to a field or to a related link, not both.");
        }
        if (field is not null)
        {
            return CommentAnchors.IsField(field) ? (field, null, null) : (null, null, $"'{Cap(field)}' is not a field of an item.");
        }
        if (url is null)
        {
            return (null, null, null);
        }
        // Anchored to the link's identity (LinkIdentity): two links differing only by their fragment
        // are two links, each with its own comments.
        if (LinkIdentity.Of(url) is not { } identity)
        {
            return (null, null, "A related link is named by its absolute http(s) URL.");
        }
        return await db.RelatedLinks.AnyAsync(l => l.ItemId == itemId && l.Identity == identity, ct)
            ? (null, identity, null)
            : (null, null, "This item has no related link with that URL.");
    }

    internal static string Cap(string text) => UnicodeText.Clip(text, 40);
}
