using System.Text.Json;
using Cms.Application.Assignment;
using Cms.Application.Auditing;
using Cms.Application.Comments;
using Cms.Application.Live;
using Cms.Application.Publishing;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// The item page's read model: everything the page shows, in one call, projected with Select. What
// the actor is offered comes from the rules the handlers enforce (the Workflow table as
// ItemTransitions applies it, PublishSchedule's own check, ItemChanges' "an edit returns a Ready
// item to New"), so the page shows exactly what a POST would be allowed to do.
public sealed class ItemPage(CmsDbContext db, QueueQuery queue, Presence presence, SourceRevisions revisions, AuditQuery audit, PublishingOptions publishing,
    CommentThreads comments, ItemAssignments assignments)
{
    public const int HistoryLength = 200;

    // The page holds at most this much of the source (it can be a megabyte); SourceAsync has all of it.
    public const int SourceChars = 64 * 1024;

    public sealed record ItemView(
        long Id, string Title, string? Excerpt, string? Category, string? Type, string? ProviderName, string? ProviderDomain,
        DateTimeOffset? PublishedAt, string OriginalUrl, string? WebUrl, int? Quality, int? Heat, WorkflowState State,
        string SourceYaml, int SourceLength, bool SourceChanged, DateTimeOffset? EditedAt, string? EditedBy, uint Version);

    // Identity: the link's normalized URL (LinkIdentity); null when it can never be approved or published.
    public sealed record LinkView(long Id, int Position, string? Title, string? Excerpt, string? Url, bool IsSafeUrl, string? ProviderName,
        DateTimeOffset? PublishedAt, LinkDecision Decision, string? Reason, int? Quality, string? ImageUrl, string? Identity);

    public sealed record OutputView(PublishJobStatus Status, string? Result, DateTimeOffset? CompletedAt, int Attempts, string? LastError, DateTimeOffset NextAttemptAt);

    // Offered: the moves from this state that the actor's permissions allow, each with the refusal
    // that disables it now (links undecided, four-eyes). Schedule: null unless the actor may publish
    // this Ready, unscheduled item but for four-eyes (then it carries that refusal). EditReturnsToNew:
    // saving a reviewed field sends the item back to New.
    public sealed record WorkflowView(
        IReadOnlyList<TransitionCheck> Offered, TransitionCheck? Schedule, bool CanCancelSchedule, bool EditReturnsToNew,
        DateTimeOffset? PublishAt, string? ScheduledBy, string? ReadyByName, DateTimeOffset? ReadyAt, string? OutputFile, OutputView? Output);

    // Previous/Next: the neighbours within the queue view the editor came from. Secured: the
    // source's `secured` value when the page holds the whole source. Revision: the pending source
    // revision compared with the item, or null. OthersEditing: who else has the page open now (their
    // live connection). Comments, Assignee, Assignable: the talk on the item.
    public sealed record View(
        ItemView Item, IReadOnlyList<LinkView> Links, IReadOnlyList<string> Topics, IReadOnlyList<string> Vocabulary,
        IReadOnlyList<string> Categories, IReadOnlyList<ParsedImage> Images, string? Secured, IReadOnlyList<string> OthersEditing,
        long? PreviousId, long? NextId, WorkflowView Workflow, IReadOnlyList<AuditHistory.Entry> History, SourceRevisions.Comparison? Revision,
        CommentThreads.Panel Comments, ItemAssignments.Person? Assignee, IReadOnlyList<ItemAssignments.Person> Assignable);

    // Null when there is no such item.
    public async Task<View?> LoadAsync(Actor actor, long id, QueueView from, CancellationToken ct)
    {
        // The item, its workflow columns and its latest output job in one query; only the part of
        // the source the page shows leaves the database.
        var row = await db.Items.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new
            {
                Item = new ItemView(i.Id, i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt,
                    i.OriginalUrl, i.WebUrl, i.Quality, i.Heat, i.State,
                    i.SourceYaml.Length > SourceChars ? i.SourceYaml.Substring(0, SourceChars) : i.SourceYaml, i.SourceYaml.Length,
                    i.SourceChanged, i.EditedAt, i.EditedBy, i.Version),
                i.ImagesJson, i.ReadyBy, i.ReadyByName, i.ReadyAt, i.PublishAt, i.PublishScheduledByName, i.OutputFile,
                PendingRevision = i.Revisions.Any(r => r.Status == RevisionStatus.Pending),
                Output = db.PublishJobs.Where(j => j.ItemId == i.Id).OrderByDescending(j => j.Id)
                    .Select(j => new OutputView(j.Status, j.Result, j.CompletedAt, j.Attempts, j.LastError, j.NextAttemptAt))
                    .FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }
        var item = row.Item;
        var links = await db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position)
            .Select(l => new LinkView(l.Id, l.Position, l.Title, l.Excerpt, l.Url, l.IsSafeUrl, l.ProviderName, l.PublishedAt, l.Decision, l.Reason, l.Quality, l.ImageUrl, l.Identity))
            .ToListAsync(ct);
        var topics = await db.ItemTopics.AsNoTracking().Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToListAsync(ct);
        var vocabulary = await queue.TopicNamesAsync(ct);
        var (previous, next) = await queue.NeighboursAsync(from, id, ct);

        var blocking = await BlockingThreads.Open(db).CountAsync(c => c.ItemId == id, ct);
        var facts = new ItemFacts(item.State, links.Count(l => l.Decision == LinkDecision.Pending), row.ReadyBy, row.PendingRevision, blocking);
        var who = ItemTransitions.Facts(actor);
        var schedule = PublishSchedule.Check(facts, who, publishing.FourEyes);
        var workflow = new WorkflowView(
            Workflow.Offered(facts, who, publishing.FourEyes),
            row.PublishAt is null && schedule.Refusal is Refusal.None or Refusal.FourEyes ? schedule : null,
            CanCancelSchedule: row.PublishAt is not null && actor.Can(PublishSchedule.Permission),
            EditReturnsToNew: ItemChanges.EditReturnsToNew(item.State),
            row.PublishAt, row.PublishScheduledByName, row.ReadyByName, row.ReadyAt, row.OutputFile, row.Output);

        return new View(
            item, links, topics, vocabulary, WithOwn(await queue.CategoriesAsync(ct), item.Category), Images(row.ImagesJson),
            item.SourceLength == item.SourceYaml.Length ? revisions.SecuredOf(item.SourceYaml) : null,
            await presence.OthersAsync(actor, id, ct), previous, next, workflow,
            (await audit.ItemHistoryAsync(id, HistoryLength, ct)).Select(AuditHistory.From).ToList(),
            item.SourceChanged ? await revisions.CompareAsync(id, ct) : null,
            await comments.ForItemAsync(actor, id, ct), await assignments.AssigneeAsync(id, ct),
            await assignments.CandidatesAsync(null, ct, People.Readers.MaxListed));
    }

    // The whole source, as received; null when there is no such item.
    public Task<string?> SourceAsync(long id, CancellationToken ct) =>
        db.Items.AsNoTracking().Where(i => i.Id == id).Select(i => i.SourceYaml).SingleOrDefaultAsync(ct);

    // The parser keeps only absolute http(s) images; rows stored before it did are filtered here,
    // so no page ever receives another kind of image URL.
    private static IReadOnlyList<ParsedImage> Images(string? json) =>
        (json is null ? [] : JsonSerializer.Deserialize<List<ParsedImage>>(json) ?? [])
            .Where(i => UrlRules.IsAbsoluteHttp(i.Url)).ToList();

    // The edit form's select offers the item's own category even when the list lacks it (an item
    // older than the list, or a spelling the list no longer holds): otherwise the browser posts the
    // first option, "(none)", and a save that changed nothing else would clear the category.
    private static IReadOnlyList<string> WithOwn(IReadOnlyList<string> categories, string? own) =>
        own is null || categories.Contains(own) ? categories : [own, .. categories];
}
