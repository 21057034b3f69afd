using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Queue;

// One action on the items selected in the queue: one transaction for the whole selection, one
// audit event per item changed. Each action applies the same rules as the item page; workflow
// moves go through ItemTransitions, with a per-item result.
public sealed class BulkEdit(CmsDbContext db, TopicVocabulary vocabulary, ItemTransitions transitions, QueueQuery queue)
{
    public const string AddTopic = "add-topic";
    public const string RemoveTopic = "remove-topic";
    public const string ApproveLinks = "approve-links";
    public const string RejectLinks = "reject-links";
    public const int MaxItems = 1000;

    private static readonly IReadOnlyDictionary<string, string> EditActions = new Dictionary<string, string>
    {
        [AddTopic] = "Add topic",
        [RemoveTopic] = "Remove topic",
        [ApproveLinks] = "Approve all related links",
        [RejectLinks] = "Reject all related links",
    };

    // Every action: the edits, then each workflow move by its enum name ("MarkReady", "Publish", ...).
    public static readonly IReadOnlyDictionary<string, string> Actions = EditActions
        .Concat(Workflow.Transitions.Select(t => KeyValuePair.Create(t.Action.ToString(), t.Label)))
        .ToDictionary();

    // What the bulk menu offers this actor: the edits, and the moves their permissions allow.
    public static IReadOnlyList<KeyValuePair<string, string>> ActionsFor(Actor actor) =>
        [.. EditActions, .. Workflow.Transitions.Where(t => actor.Can(t.Permission)).Select(t => KeyValuePair.Create(t.Action.ToString(), t.Label))];

    // Matching: instead of the ticked rows, every item of this view ("select all N matching this
    // view"), at most MaxItems; a larger view is refused rather than cut short.
    public sealed record Command(IReadOnlyList<long> Ids, string Action, string? Topic, string? Reason = null, QueueView? Matching = null);

    public async Task<Outcome> HandleAsync(Actor actor, Command command, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "A bulk action",
                new Attempt(AuditActions.ItemBulkEdited, Move: command.Action), ct) is { } refused)
        {
            return refused;
        }
        if (command.Matching is { } view)
        {
            var matching = await queue.IdsAsync(view, MaxItems + 1, ct);
            if (matching.Count > MaxItems)
            {
                return Outcome.Invalid(nameof(Command.Ids), $"This view holds more than {MaxItems:N0} items: narrow it, or tick the rows to change.");
            }
            command = command with { Ids = matching };
        }
        var errors = new List<FieldError>();
        var action = command.Action;
        if (!Actions.ContainsKey(action))
        {
            errors.Add(new(nameof(Command.Action), "Choose an action."));
        }
        if (command.Ids.Count == 0)
        {
            errors.Add(new(nameof(Command.Ids), command.Matching is null ? "Select at least one item." : "No items match this view."));
        }
        else if (command.Ids.Count > MaxItems)
        {
            errors.Add(new(nameof(Command.Ids), $"Select at most {MaxItems} items at once."));
        }
        var topicName = command.Topic?.Trim();
        if (action is AddTopic or RemoveTopic && string.IsNullOrEmpty(topicName))
        {
            errors.Add(new(nameof(Command.Topic), "Name the topic."));
        }
        else if (topicName?.Length > ItemParser.MaxTopicLength)
        {
            errors.Add(new(nameof(Command.Topic), $"A topic has at most {ItemParser.MaxTopicLength} characters."));
        }
        if (errors.Count > 0)
        {
            return Outcome.Invalid(errors);
        }
        if (Enum.TryParse<WorkflowAction>(action, out var move))
        {
            return await transitions.HandleManyAsync(actor, command.Ids, move, command.Reason, ct);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Topic? topic = null;
        if (action == AddTopic)
        {
            var resolved = await vocabulary.ResolveAsync(actor, nameof(Command.Topic), [topicName!], ct);
            if (!resolved.Succeeded)
            {
                return resolved.Result;
            }
            topic = resolved.Value![0];
        }
        else if (action == RemoveTopic)
        {
            var normalized = TopicNames.Normalize(topicName!);
            topic = await db.Topics.SingleOrDefaultAsync(t => t.NormalizedName == normalized, ct);
        }

        var ids = command.Ids.Distinct().ToList();
        var items = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics)
            .Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var changed = 0;
        foreach (var item in items)
        {
            object? change = action switch
            {
                AddTopic when topic is not null && item.Topics.All(t => t.TopicId != topic.Id) => Add(item, topic),
                RemoveTopic when topic is not null && item.Topics.Any(t => t.TopicId == topic.Id) => Remove(item, topic),
                ApproveLinks or RejectLinks => DecideAll(item, action == ApproveLinks ? LinkDecision.Approved : LinkDecision.Rejected, actor, now),
                _ => null,
            };
            if (change is null)
            {
                continue;
            }
            var returned = ItemChanges.ReturnToNewIfReady(item);
            ItemChanges.Stamp(item, actor, now);
            // Link decisions are field changes, each link named by URL and title as on the item page.
            var summary = change is List<object> ? null : change;
            var changes = change is List<object> links ? [.. links, .. returned] : returned;
            AuditLog.Add(db, actor, AuditActions.ItemBulkEdited, AuditTargets.Item, item.Id.ToString(),
                changes.Count == 0 ? new { action, change = summary } : (object)new { action, change = summary, changes });
            changed++;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"{Actions[action]}: {changed} of {command.Ids.Count} selected items changed.");
    }

    private static object Add(Item item, Topic topic)
    {
        item.Topics.Add(new ItemTopic { ItemId = item.Id, Topic = topic, Position = item.Topics.Count == 0 ? 0 : item.Topics.Max(t => t.Position) + 1 });
        return new { topicAdded = topic.Name };
    }

    private static object Remove(Item item, Topic topic)
    {
        item.Topics.RemoveAll(t => t.TopicId == topic.Id);
        return new { topicRemoved = topic.Name };
    }

    private static List<object>? DecideAll(Item item, LinkDecision decision, Actor actor, DateTimeOffset now)
    {
        var decided = new List<object>();
        foreach (var link in item.RelatedLinks.OrderBy(l => l.Position))
        {
            var before = link.Decision;
            if (ItemChanges.Decide(link, decision, link.Reason, actor, now))
            {
                decided.Add(ItemChanges.LinkChange(link, before.ToString(), decision.ToString(), null, link.Reason));
            }
        }
        return decided.Count == 0 ? null : decided;
    }
}
