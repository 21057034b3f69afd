using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// The item page's workflow part: a move, a schedule or its cancellation. ItemTransitions and
// PublishSchedule enforce the table whatever the page showed; a refusal for lack of rights
// (permission, four-eyes) is the 403 page with the reason, any other a message in the panel.
// The move buttons belong to the edit form (its `form` attribute), so a move carries the form's
// unsaved edits and SaveAndMove saves them in the same transaction; a POST without the edit form
// (no Input.Version) is a move alone.
public sealed partial class DetailsModel
{
    [BindProperty]
    [FromForm]
    public MoveInput Move { get; set; } = new();

    public sealed class MoveInput
    {
        // Nullable: a POST without a move must not default to the enum's first member (MarkReady).
        public WorkflowAction? Action { get; set; }

        [StringLength(ItemTransitions.MaxReasonLength)]
        public string? Reason { get; set; }

        // The panel's reason fields, one per move that needs one (they share the edit form, so each
        // needs a name of its own): Reasons[Reject], Reasons[SendBack], ...
        public Dictionary<string, string?> Reasons { get; set; } = [];

        // "yyyy-MM-dd HH:mm" UTC, typed as text (a datetime-local field shows the browser's locale).
        [StringLength(40)]
        public string? PublishAt { get; set; }

        public string? ReasonFor(WorkflowAction action) => Reason ?? Reasons.GetValueOrDefault(action.ToString());
    }

    // Where the errors of a move combined with the edit form go: the move's own fields to the panel.
    private static readonly IReadOnlyDictionary<string, string> MovePrefixes = new Dictionary<string, string>
    {
        ["Action"] = "Move",
        ["Reason"] = "Move",
    };

    public Task<IActionResult> OnPostTransitionAsync(long id, [FromServices] ItemTransitions transitions, [FromServices] SaveAndMove saveAndMove, CancellationToken ct) =>
        MoveAsync(id, transitions, saveAndMove, () => Task.FromResult<IActionResult>(Redirect(UrlFor(id))), ct);

    // "Save, mark ready and next": the move, then the next item of the view, in one page load.
    public Task<IActionResult> OnPostTransitionNextAsync(long id, [FromServices] ItemTransitions transitions, [FromServices] SaveAndMove saveAndMove,
        [FromServices] QueueQuery queue, CancellationToken ct) =>
        MoveAsync(id, transitions, saveAndMove, () => NextAsync(id, queue, ct), ct);

    private async Task<IActionResult> MoveAsync(long id, ItemTransitions transitions, SaveAndMove saveAndMove, Func<Task<IActionResult>> moved, CancellationToken ct)
    {
        if (Move.Action is not { } action)
        {
            ModelState.AddModelError("Move.Action", "Choose a move.");
            return await ReloadAsync(id, ct);
        }
        var request = new ItemTransitions.Request(id, action, Move.ReasonFor(action));
        if (Input.Version == 0)
        {
            if (!ModelState.IsValid)
            {
                return await ReloadAsync(id, ct);
            }
            var outcome = await transitions.HandleAsync(Actors.Of(HttpContext), request, ct);
            return await this.AnswerAsync(outcome, async () =>
            {
                StatusMessage = outcome.Message;
                return await moved();
            }, () => ReloadAsync(id, ct), prefix: "Move", messageKey: "Move.Action");
        }
        return await EditAsync(id, () => saveAndMove.HandleAsync(Actors.Of(HttpContext), EditCommand(id), request, ct), moved, ct, messageKey: "Move.Action");
    }

    public async Task<IActionResult> OnPostScheduleAsync(long id, [FromServices] PublishSchedule schedule, CancellationToken ct)
    {
        var at = Display.ParseUtcMinute(Move.PublishAt);
        if (at is null)
        {
            ModelState.AddModelError("Move.PublishAt", $"Type when to publish as {Display.MinuteInputFormat} (UTC), e.g. 2026-12-24 08:30.");
        }
        if (!ModelState.IsValid)
        {
            return await ReloadAsync(id, ct);
        }
        return await WorkflowAnswerAsync(id, await schedule.ScheduleAsync(Actors.Of(HttpContext), id, at!.Value, ct), ct);
    }

    public async Task<IActionResult> OnPostCancelScheduleAsync(long id, [FromServices] PublishSchedule schedule, CancellationToken ct) =>
        await WorkflowAnswerAsync(id, await schedule.CancelAsync(Actors.Of(HttpContext), id, ct), ct);

    private Task<IActionResult> WorkflowAnswerAsync(long id, Outcome outcome, CancellationToken ct) =>
        this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(UrlFor(id));
        }, () => ReloadAsync(id, ct), prefix: "Move", messageKey: "Move.Action");
}
