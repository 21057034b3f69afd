using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// The item page's workflow part: a move, a schedule or its cancellation. ItemTransitions and
// PublishSchedule enforce the table whatever the page showed; a refusal for lack of rights
// (permission, four-eyes) is the 403 page with the reason, any other a message in the panel.
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

        // A UTC time from a datetime-local field.
        public DateTime? PublishAt { get; set; }
    }

    public async Task<IActionResult> OnPostTransitionAsync(long id, [FromServices] ItemTransitions transitions, CancellationToken ct)
    {
        if (Move.Action is null)
        {
            ModelState.AddModelError("Move.Action", "Choose a move.");
        }
        if (!ModelState.IsValid)
        {
            return await ReloadAsync(id, ct);
        }
        var outcome = await transitions.HandleAsync(Actors.Of(HttpContext), new ItemTransitions.Request(id, Move.Action!.Value, Move.Reason), ct);
        return await WorkflowAnswerAsync(id, outcome, ct);
    }

    public async Task<IActionResult> OnPostScheduleAsync(long id, [FromServices] PublishSchedule schedule, CancellationToken ct)
    {
        if (Move.PublishAt is not { } at)
        {
            ModelState.AddModelError("Move.PublishAt", "Choose when to publish (UTC).");
        }
        if (!ModelState.IsValid)
        {
            return await ReloadAsync(id, ct);
        }
        var when = new DateTimeOffset(DateTime.SpecifyKind(Move.PublishAt!.Value, DateTimeKind.Utc));
        return await WorkflowAnswerAsync(id, await schedule.ScheduleAsync(Actors.Of(HttpContext), id, when, ct), ct);
    }

    public async Task<IActionResult> OnPostCancelScheduleAsync(long id, [FromServices] PublishSchedule schedule, CancellationToken ct) =>
        await WorkflowAnswerAsync(id, await schedule.CancelAsync(Actors.Of(HttpContext), id, ct), ct);

    private Task<IActionResult> WorkflowAnswerAsync(long id, Outcome outcome, CancellationToken ct) =>
        this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(UrlFor(id));
        }, () => ReloadAsync(id, ct), prefix: "Move", messageKey: "Move.Action");

    // Long values (topic lists, notes) get a word diff; short ones read fine as before → after.
    public static bool IsLong(string? value) => value is { Length: > 80 } || value?.Contains('\n') == true;
}
