using System.ComponentModel.DataAnnotations;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Queue;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages;

// The editors' home: the review queue. The whole view lives in the query string, so it can be
// bookmarked and shared; pages are keyset-based so new arrivals do not shift them.
public sealed class IndexModel(CmsDbContext db, QueueQuery queue, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = QueueQuery.PageSize;

    public static readonly IReadOnlyDictionary<string, string> BulkActions = new Dictionary<string, string>
    {
        ["add-topic"] = "Add topic",
        ["remove-topic"] = "Remove topic",
        ["approve-links"] = "Approve all related links",
        ["reject-links"] = "Reject all related links",
        [nameof(ReviewAction.MarkReady)] = "Mark ready",
        [nameof(ReviewAction.Reopen)] = "Reopen",
        [nameof(ReviewAction.Reject)] = "Reject",
        [nameof(ReviewAction.Restore)] = "Restore",
    };

    [BindProperty(SupportsGet = true)]
    public QueueView View { get; set; } = new();

    [BindProperty]
    public BulkInput Bulk { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<QueueQuery.Row> Items { get; private set; } = [];
    public IReadOnlyDictionary<WorkflowState, long> Counts { get; private set; } = new Dictionary<WorkflowState, long>();
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public sealed class BulkInput
    {
        public List<long> Ids { get; set; } = [];

        [Required]
        public string Action { get; set; } = "";

        [StringLength(ItemParser.MaxTopicLength)]
        public string? Topic { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (View.QualityMin is < 0 or > 100 || View.QualityMax is < 0 or > 100)
        {
            ModelState.AddModelError("View.QualityMin", "Quality bounds go from 0 to 100.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Counts = await queue.CountsAsync(View, ct);
        var page = await queue.PageAsync(View, ct);
        Items = page.Items;
        NextCursor = page.NextCursor;
        Categories = await db.Categories.AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
    }

    // One transaction for the whole selection, one audit event per item changed.
    public async Task<IActionResult> OnPostBulkAsync(CancellationToken ct)
    {
        var action = Bulk.Action;
        if (!BulkActions.ContainsKey(action))
        {
            ModelState.AddModelError("Bulk.Action", "Choose an action.");
        }
        if (Bulk.Ids.Count == 0)
        {
            ModelState.AddModelError("Bulk.Ids", "Select at least one item.");
        }
        var topicName = Bulk.Topic?.Trim();
        if (action is "add-topic" or "remove-topic" && string.IsNullOrEmpty(topicName))
        {
            ModelState.AddModelError("Bulk.Topic", "Name the topic.");
        }
        Topic? topic = null;
        if (ModelState.IsValid && action is "add-topic" or "remove-topic")
        {
            var normalized = TopicNames.Normalize(topicName!);
            topic = await db.Topics.SingleOrDefaultAsync(t => t.NormalizedName == normalized, ct);
            if (topic is null && action == "add-topic")
            {
                if ((await authorization.AuthorizeAsync(User, Permissions.ManageTopics)).Succeeded)
                {
                    topic = Topic.Create(topicName!);
                    db.Topics.Add(topic);
                }
                else
                {
                    ModelState.AddModelError("Bulk.Topic", $"Unknown topic: {topicName}. Ask a publisher to create it.");
                }
            }
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }

        var user = User.Identity!.Name!;
        var now = DateTimeOffset.UtcNow;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var items = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics)
            .Where(i => Bulk.Ids.Contains(i.Id)).ToListAsync(ct);
        if (topic is { Id: 0 })
        {
            await db.SaveChangesAsync(ct);
            AuditLog.Add(db, user, "topic.created", "topic", topic.Id.ToString(), new { name = topic.Name });
        }
        var changed = 0;
        foreach (var item in items)
        {
            object? change = action switch
            {
                "add-topic" when topic is not null && (topic.Id == 0 || item.Topics.All(t => t.TopicId != topic.Id)) =>
                    AddTopic(item, topic),
                "remove-topic" when topic is not null && item.Topics.Any(t => t.TopicId == topic.Id) =>
                    RemoveTopic(item, topic),
                "approve-links" or "reject-links" => DecideAll(item, action == "approve-links" ? LinkDecision.Approved : LinkDecision.Rejected, user, now),
                _ when Enum.TryParse<ReviewAction>(action, out var review) && Workflow.Target(item.State, review) is { } target =>
                    Move(item, target),
                _ => null,
            };
            if (change is null)
            {
                continue;
            }
            item.EditedAt = now;
            item.EditedBy = user;
            item.UpdatedAt = now;
            AuditLog.Add(db, user, "item.bulk-edited", "item", item.Id.ToString(), new { action, change });
            changed++;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"{BulkActions[action]}: {changed} of {Bulk.Ids.Count} selected items changed.";
        return Redirect(WithQuery("handler", null));
    }

    private static object AddTopic(Item item, Topic topic)
    {
        item.Topics.Add(new ItemTopic { ItemId = item.Id, Topic = topic, Position = item.Topics.Count == 0 ? 0 : item.Topics.Max(t => t.Position) + 1 });
        return new { topicAdded = topic.Name };
    }

    private static object RemoveTopic(Item item, Topic topic)
    {
        item.Topics.RemoveAll(t => t.TopicId == topic.Id);
        return new { topicRemoved = topic.Name };
    }

    private static object? DecideAll(Item item, LinkDecision decision, string user, DateTimeOffset now)
    {
        // Unsafe links stay rejected whatever the bulk action says.
        var links = item.RelatedLinks.Where(l => l.Decision != decision && (l.IsSafeUrl || decision == LinkDecision.Rejected)).ToList();
        foreach (var link in links)
        {
            link.Decision = decision;
            link.DecidedBy = user;
            link.DecidedAt = now;
        }
        return links.Count == 0 ? null : new { links = links.Select(l => l.Position).ToList(), decision = decision.ToString() };
    }

    private static object Move(Item item, WorkflowState target)
    {
        var before = item.State;
        item.State = target;
        return new { state = new { before = before.ToString(), after = target.ToString() } };
    }

    // The current view's URL with one parameter replaced (and the page cursor reset).
    public string WithQuery(string key, string? value) => ViewUrls.Replace(Request.Query, "/", key, value);
}
