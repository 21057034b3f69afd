using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Items;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Items;

// The item page's workflow part: the moves this user may make now, the schedule, the output's
// status and the item's history. Every POST goes through ItemTransitions / PublishSchedule, which
// enforce the table whatever the page showed.
public sealed partial class DetailsModel
{
    public const int HistoryLength = 200;

    public sealed record WorkflowView(
        IReadOnlyList<TransitionCheck> Offered, bool CanSchedule, string? ScheduleRefusal, DateTimeOffset? PublishAt, string? ScheduledBy,
        string? ReadyByName, DateTimeOffset? ReadyAt, string? OutputFile, OutputView? Output);

    public sealed record OutputView(PublishJobStatus Status, string? Result, DateTimeOffset? CompletedAt, int Attempts, string? LastError, DateTimeOffset NextAttemptAt);

    public WorkflowView Workflow { get; private set; } = null!;
    public IReadOnlyList<AuditHistory.Entry> History { get; private set; } = [];

    [BindProperty]
    public MoveInput Move { get; set; } = new();

    public sealed class MoveInput
    {
        public WorkflowAction Action { get; set; }

        [StringLength(ItemTransitions.MaxReasonLength)]
        public string? Reason { get; set; }

        // A UTC time from a datetime-local field.
        public DateTime? PublishAt { get; set; }
    }

    public async Task<IActionResult> OnPostTransitionAsync(long id, CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            return await ReloadAsync(id, ct);
        }
        var outcome = await transitions.HandleAsync(Actors.Of(HttpContext), new ItemTransitions.Request(id, Move.Action, Move.Reason), ct);
        return await WorkflowResultAsync(id, outcome, ct);
    }

    public async Task<IActionResult> OnPostScheduleAsync(long id, CancellationToken ct)
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
        return await WorkflowResultAsync(id, await schedule.ScheduleAsync(Actors.Of(HttpContext), id, when, ct), ct);
    }

    public async Task<IActionResult> OnPostCancelScheduleAsync(long id, CancellationToken ct) =>
        await WorkflowResultAsync(id, await schedule.CancelAsync(Actors.Of(HttpContext), id, ct), ct);

    // A refused move is shown on the page with its reason: 403 when the rules say this user may not
    // (permission, four-eyes), the page with a validation message otherwise. Nothing changed.
    private async Task<IActionResult> WorkflowResultAsync(long id, Outcome outcome, CancellationToken ct)
    {
        switch (outcome.Status)
        {
            case OutcomeStatus.Ok:
                StatusMessage = outcome.Message;
                return Redirect(UrlFor(id));
            case OutcomeStatus.NotFound:
                return NotFound();
            case OutcomeStatus.Forbidden:
                ModelState.AddModelError("Move.Action", outcome.Message ?? "Not allowed.");
                var page = await ReloadAsync(id, ct);
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return page;
            default:
                foreach (var error in outcome.Errors)
                {
                    ModelState.AddModelError($"Move.{error.Field}", error.Message);
                }
                return await ReloadAsync(id, ct);
        }
    }

    // The page again with the edit form showing the stored values (this POST carried none).
    private async Task<IActionResult> ReloadAsync(long id, CancellationToken ct)
    {
        var page = await PageAsync(id, ct);
        if (page is PageResult)
        {
            Input = CurrentValues();
        }
        return page;
    }

    private async Task LoadWorkflowAsync(ItemView item, CancellationToken ct)
    {
        var actor = Actors.Of(HttpContext);
        var extra = await db.Items.AsNoTracking().Where(i => i.Id == item.Id)
            .Select(i => new { i.ReadyBy, i.ReadyByName, i.ReadyAt, i.PublishAt, i.PublishScheduledByName, i.OutputFile })
            .SingleAsync(ct);
        var blocking = await Application.Comments.BlockingThreads.Open(db).CountAsync(c => c.ItemId == item.Id, ct);
        var facts = new ItemFacts(item.State, Links.Count(l => l.Decision == LinkDecision.Pending), extra.ReadyBy, blocking);
        var who = ItemTransitions.Facts(actor);
        var publish = Core.Items.Workflow.Check(WorkflowAction.Publish, facts, who, publishing.FourEyes);
        var output = await db.PublishJobs.AsNoTracking().Where(j => j.ItemId == item.Id).OrderByDescending(j => j.Id)
            .Select(j => new OutputView(j.Status, j.Result, j.CompletedAt, j.Attempts, j.LastError, j.NextAttemptAt))
            .FirstOrDefaultAsync(ct);
        Workflow = new WorkflowView(
            Core.Items.Workflow.Offered(facts, who, publishing.FourEyes),
            CanSchedule: publish.Refusal is Refusal.None or Refusal.FourEyes && item.State == WorkflowState.Ready,
            ScheduleRefusal: publish.Message,
            extra.PublishAt, extra.PublishScheduledByName, extra.ReadyByName, extra.ReadyAt, extra.OutputFile, output);
        History = (await audit.ItemHistoryAsync(item.Id, HistoryLength, ct)).Select(AuditHistory.From).ToList();
    }

    // Long values (topic lists, notes) get a word diff; short ones read fine as before → after.
    public static bool IsLong(string? value) => value is { Length: > 80 } || value?.Contains('\n') == true;
}
