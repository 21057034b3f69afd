using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Assignment;
using Cms.Application.Comments;
using Cms.Core.Talk;
using Cms.Web.Infrastructure;
using Cms.Web.Live;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// The item page's talk part: comment threads (anchored ones also beside their link card), the
// forms to comment, reply, edit, delete, resolve and reopen, and the assignment. Every POST calls
// its handler (ItemComments, ItemAssignments), which checks and audits; this only binds and renders.
// Live updates fetch /Items/Threads/{id} and /live/item, never this page: a fetch here would take
// the status message (TempData) meant for the page the browser is about to show.
public sealed partial class DetailsModel
{
    public CommentThreads.Panel Comments => Shown.Comments;

    // The threads as their partial renders them, on this page and on /Items/Threads.
    public TalkThreads Threads => new(Item.Id, Comments, handler => UrlFor(Item.Id, handler));
    public ItemAssignments.Person? Assignee => Shown.Assignee;
    public IReadOnlyList<ItemAssignments.Person> Assignable => Shown.Assignable;

    [BindProperty]
    [FromForm]
    public TalkInput Talk { get; set; } = new();

    public sealed class TalkInput
    {
        [StringLength(CommentText.MaxLength)]
        [Display(Name = "Comment")]
        public string? Body { get; set; }

        public long? ReplyTo { get; set; }

        // "field:title" or "link:<url>"; empty for the whole item.
        [StringLength(4200)]
        public string? Anchor { get; set; }

        public bool Blocking { get; set; }

        public long? CommentId { get; set; }

        public bool Resolved { get; set; }

        [StringLength(450)]
        public string? AssignTo { get; set; }
    }

    public async Task<IActionResult> OnPostCommentAsync(long id, [FromServices] ItemComments comments, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await TalkRefusedAsync(id, ct);
        }
        var (field, url) = SplitAnchor(Talk.Anchor);
        var outcome = await comments.AddAsync(Actors.Of(HttpContext),
            new ItemComments.NewComment(id, Talk.Body, Talk.ReplyTo, field, url, Talk.Blocking), ct);
        return await TalkResultAsync(id, outcome.Result, outcome.Value, ct);
    }

    public async Task<IActionResult> OnPostEditCommentAsync(long id, [FromServices] ItemComments comments, CancellationToken ct) =>
        ModelState.IsValid && Talk.CommentId is { } comment
            ? await TalkResultAsync(id, await comments.EditAsync(Actors.Of(HttpContext), comment, Talk.Body, ct), comment, ct)
            : await TalkRefusedAsync(id, ct);

    public async Task<IActionResult> OnPostDeleteCommentAsync(long id, [FromServices] ItemComments comments, CancellationToken ct) =>
        Talk.CommentId is { } comment
            ? await TalkResultAsync(id, await comments.DeleteAsync(Actors.Of(HttpContext), comment, ct), comment, ct)
            : NotFound();

    public async Task<IActionResult> OnPostResolveCommentAsync(long id, [FromServices] ItemComments comments, CancellationToken ct) =>
        Talk.CommentId is { } comment
            ? await TalkResultAsync(id, await comments.ResolveAsync(Actors.Of(HttpContext), comment, Talk.Resolved, ct), comment, ct)
            : NotFound();

    public async Task<IActionResult> OnPostAssignAsync(long id, [FromServices] ItemAssignments assignments, CancellationToken ct) =>
        ModelState.IsValid
            ? await TalkResultAsync(id, await assignments.AssignAsync(Actors.Of(HttpContext), id, Talk.AssignTo, ct), null, ct)
            : await TalkRefusedAsync(id, ct);

    public static (string? Field, string? Url) SplitAnchor(string? anchor) => anchor switch
    {
        { } a when a.StartsWith("field:", StringComparison.Ordinal) => (a[6..], null),
        { } a when a.StartsWith("link:", StringComparison.Ordinal) => (null, a[5..]),
        _ => (null, null),
    };

    // Done: back to the page at the comment (or the talk). Refused: the page again, the edit form
    // with the stored values, the comment form with what was typed and the reason under "Talk".
    private Task<IActionResult> TalkResultAsync(long id, Outcome outcome, long? commentId, CancellationToken ct) =>
        this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(UrlFor(id) + (commentId is { } c ? $"#comment-{c}" : "#comments"));
        }, () => TalkRefusedAsync(id, ct), prefix: "Talk", messageKey: "Talk");

    private Task<IActionResult> TalkRefusedAsync(long id, CancellationToken ct) => ReloadAsync(id, ct);
}
