using System.ComponentModel.DataAnnotations;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Items;

public sealed class DetailsModel(CmsDbContext db, IAuthorizationService authorization, IFrontMatterReader reader, Queue.QueueQuery queue) : PageModel
{
    public const int MaxNoteLength = 1000;
    public static readonly TimeSpan LeaseLength = TimeSpan.FromMinutes(2);

    public sealed record LinkView(long Id, int Position, string? Title, string? Excerpt, string? Url, bool IsSafeUrl, string? ProviderName, DateTimeOffset? PublishedAt, LinkDecision Decision, string? Reason);

    public sealed record ItemView(
        long Id, string Title, string? Excerpt, string? Category, string? Type, string? ProviderName, string? ProviderDomain,
        DateTimeOffset? PublishedAt, string OriginalUrl, string? WebUrl, int? Quality, int? Heat, WorkflowState State,
        string SourceYaml, string? ImagesJson, bool SourceChanged, DateTimeOffset? EditedAt, string? EditedBy, uint Version);

    public ItemView Item { get; private set; } = null!;
    public IReadOnlyList<LinkView> Links { get; private set; } = [];
    public IReadOnlyList<string> Topics { get; private set; } = [];
    public IReadOnlyList<string> Vocabulary { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public IReadOnlyList<ParsedImage> Images { get; private set; } = [];
    public IReadOnlyList<string> OthersEditing { get; private set; } = [];
    public DiffPaneModel? RevisionDiff { get; private set; }

    // Set when the save lost a race: what this editor sent, shown beside the current values.
    public InputModel? Conflict { get; private set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    // The queue view the editor came from: next/previous and save-and-next move within it.
    [BindProperty(SupportsGet = true)]
    public Queue.QueueView View { get; set; } = new();

    public long? NextId { get; private set; }
    public long? PreviousId { get; private set; }

    public string UrlFor(long itemId, string? handler = null) =>
        Queue.ViewUrls.Replace(Request.Query, $"/Items/Details/{itemId}", "handler", handler);

    [TempData]
    public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        public uint Version { get; set; }

        [Range(0, 100, ErrorMessage = "Quality must be a whole number from 0 to 100.")]
        public int? Quality { get; set; }

        [StringLength(100)]
        public string? Category { get; set; }

        [Display(Name = "Topics (comma-separated)")]
        [StringLength(2000)]
        public string? Topics { get; set; }

        [StringLength(MaxNoteLength)]
        public string? Note { get; set; }

        public List<LinkInput> Links { get; set; } = [];
    }

    public sealed class LinkInput
    {
        public long Id { get; set; }
        public LinkDecision Decision { get; set; }

        [StringLength(500)]
        public string? Reason { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        await RenewLeaseAsync(id, ct);
        Input = CurrentValues();
        NextId = await queue.NeighbourAsync(View, id, next: true, ct);
        PreviousId = await queue.NeighbourAsync(View, id, next: false, ct);
        return Page();
    }

    private InputModel CurrentValues() => new()
    {
        Version = Item.Version,
        Quality = Item.Quality,
        Category = Item.Category,
        Topics = string.Join(", ", Topics),
        Links = Links.Select(l => new LinkInput { Id = l.Id, Decision = l.Decision, Reason = l.Reason }).ToList(),
    };

    // The version the form carries: the one the editor loaded, except after a conflict, when they
    // have now seen the current values and may save over them deliberately.
    public uint FormVersion => Conflict is null && Input.Version != 0 ? Input.Version : Item.Version;

    // Renewed by the page every minute while it stays open (shortcuts.js); without JavaScript the
    // lease simply lapses two minutes after the last page load.
    public async Task<IActionResult> OnPostLeaseAsync(long id, CancellationToken ct)
    {
        if (!await db.Items.AnyAsync(i => i.Id == id, ct))
        {
            return NotFound();
        }
        await RenewLeaseAsync(id, ct);
        return new NoContentResult();
    }

    public async Task<IActionResult> OnPostApproveAllAsync(long id, CancellationToken ct)
    {
        foreach (var link in Input.Links)
        {
            link.Decision = LinkDecision.Approved;
        }
        return await SaveAsync(id, ct) ?? Redirect(UrlFor(id));
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct) =>
        await SaveAsync(id, ct) ?? Redirect(UrlFor(id));

    public async Task<IActionResult> OnPostSaveNextAsync(long id, CancellationToken ct)
    {
        if (await SaveAsync(id, ct) is { } refused)
        {
            return refused;
        }
        var next = await queue.NeighbourAsync(View, id, next: true, ct);
        if (next is null)
        {
            StatusMessage += " That was the last item in this view.";
        }
        return Redirect(next is { } n ? UrlFor(n) : ViewUrlsForQueue());
    }

    private string ViewUrlsForQueue() => Queue.ViewUrls.On(Request.Query, "/");

    // Null when saved (or when there was nothing to save); otherwise the response to send.
    private async Task<IActionResult?> SaveAsync(long id, CancellationToken ct)
    {
        var topicNames = ParseTopics(Input.Topics);
        foreach (var bad in topicNames.Where(t => t.Length > ItemParser.MaxTopicLength))
        {
            ModelState.AddModelError("Input.Topics", $"Topic '{bad[..20]}…' is longer than {ItemParser.MaxTopicLength} characters.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(id, ct);
            return Page();
        }

        var item = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).ThenInclude(t => t.Topic)
            .SingleOrDefaultAsync(i => i.Id == id, ct);
        if (item is null)
        {
            return NotFound();
        }
        var user = User.Identity!.Name!;
        var changes = new List<object>();

        // Topics come from the managed vocabulary; creating one takes ManageTopics.
        var normalized = topicNames.Select(TopicNames.Normalize).ToList();
        var known = await db.Topics.Where(t => normalized.Contains(t.NormalizedName)).ToListAsync(ct);
        var missing = topicNames.Where(n => known.All(k => k.NormalizedName != TopicNames.Normalize(n))).ToList();
        if (missing.Count > 0 && !(await authorization.AuthorizeAsync(User, Permissions.ManageTopics)).Succeeded)
        {
            ModelState.AddModelError("Input.Topics", $"Unknown topic: {string.Join(", ", missing)}. Ask a publisher to create it.");
            await LoadAsync(id, ct);
            return Page();
        }
        foreach (var name in missing)
        {
            var topic = Topic.Create(name);
            db.Topics.Add(topic);
            known.Add(topic);
            changes.Add(new { field = "topic.created", name });
        }

        if (item.Quality != Input.Quality)
        {
            changes.Add(new { field = "quality", before = item.Quality, after = Input.Quality });
            item.Quality = Input.Quality;
        }
        var category = string.IsNullOrWhiteSpace(Input.Category) ? null : Input.Category.Trim();
        if (category is not null && category != item.Category && !await db.Categories.AnyAsync(c => c.Name == category, ct))
        {
            ModelState.AddModelError("Input.Category", "Choose a category from the list.");
            await LoadAsync(id, ct);
            return Page();
        }
        if (item.Category != category)
        {
            changes.Add(new { field = "category", before = item.Category, after = category });
            item.Category = category;
        }
        var before = item.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList();
        var after = topicNames.Select(n => known.First(k => k.NormalizedName == TopicNames.Normalize(n)).Name).ToList();
        if (!before.SequenceEqual(after))
        {
            changes.Add(new { field = "topics", before, after });
            item.Topics.Clear();
            item.Topics.AddRange(after.Select((name, i) => new ItemTopic { ItemId = item.Id, Topic = known.First(k => k.Name == name), Position = i }));
        }
        foreach (var input in Input.Links)
        {
            var link = item.RelatedLinks.SingleOrDefault(l => l.Id == input.Id);
            // Unsafe links stay rejected: they can never be published as links.
            if (link is null || (!link.IsSafeUrl && input.Decision == LinkDecision.Approved))
            {
                continue;
            }
            var reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim();
            if (link.Decision != input.Decision || link.Reason != reason)
            {
                changes.Add(new { field = $"related[{link.Position}]", before = link.Decision.ToString(), after = input.Decision.ToString(), reason });
                link.Decision = input.Decision;
                link.Reason = reason;
                link.DecidedBy = user;
                link.DecidedAt = DateTimeOffset.UtcNow;
            }
        }
        if (changes.Count == 0 && string.IsNullOrWhiteSpace(Input.Note))
        {
            StatusMessage = "Nothing to save.";
            return null;
        }

        // The hidden version is what this editor saw; a newer row means someone saved first.
        db.Entry(item).Property(i => i.Version).OriginalValue = Input.Version;
        // Touching the item row bumps its xmin even when only links or topics changed.
        item.EditedAt = DateTimeOffset.UtcNow;
        item.EditedBy = user;
        item.UpdatedAt = item.EditedAt.Value;
        AuditLog.Add(db, user, "item.edited", "item", item.Id.ToString(), new { changes, note = Input.Note?.Trim() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            Conflict = Input;
            await LoadAsync(id, ct);
            ModelState.Clear();
            Input = CurrentValues();
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        StatusMessage = "Saved.";
        return null;
    }

    public static List<string> ParseTopics(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .DistinctBy(TopicNames.Normalize).ToList();

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new ItemView(i.Id, i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt,
                i.OriginalUrl, i.WebUrl, i.Quality, i.Heat, i.State, i.SourceYaml, i.ImagesJson, i.SourceChanged, i.EditedAt, i.EditedBy, i.Version))
            .SingleOrDefaultAsync(ct);
        if (item is null)
        {
            return false;
        }
        Item = item;
        Links = await db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position)
            .Select(l => new LinkView(l.Id, l.Position, l.Title, l.Excerpt, l.Url, l.IsSafeUrl, l.ProviderName, l.PublishedAt, l.Decision, l.Reason))
            .ToListAsync(ct);
        Topics = await db.ItemTopics.AsNoTracking().Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToListAsync(ct);
        Vocabulary = await db.Topics.AsNoTracking().OrderBy(t => t.Name).Select(t => t.Name).Take(2000).ToListAsync(ct);
        Categories = await db.Categories.AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
        Images = item.ImagesJson is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<ParsedImage>>(item.ImagesJson) ?? [];
        var me = User.Identity!.Name!;
        OthersEditing = await db.ItemLeases.AsNoTracking()
            .Where(l => l.ItemId == id && l.UserName != me && l.ExpiresAt > DateTimeOffset.UtcNow)
            .Select(l => l.UserName).ToListAsync(ct);
        if (item.SourceChanged)
        {
            var pending = await db.SourceRevisions.AsNoTracking().Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
                .OrderByDescending(r => r.ReceivedAt).Select(r => r.SourceYaml).FirstOrDefaultAsync(ct);
            if (pending is not null)
            {
                RevisionDiff = InlineDiffBuilder.Diff(Canonical(item.SourceYaml), Canonical(pending));
            }
        }
        return true;
    }

    private string Canonical(string yaml) => SourceNodes.Canonical(reader.ReadText("source", "---\n" + yaml + "---\n").Root);

    // Presence: upsert a short lease; other editors see it as a warning until it expires.
    private async Task RenewLeaseAsync(long id, CancellationToken ct)
    {
        var me = User.Identity!.Name!;
        var expires = DateTimeOffset.UtcNow.Add(LeaseLength);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO item_leases (item_id, user_name, expires_at) VALUES ({id}, {me}, {expires}) ON CONFLICT (item_id, user_name) DO UPDATE SET expires_at = excluded.expires_at",
            ct);
    }

    public static bool IsHttp(string? url) => UrlRules.IsAbsoluteHttp(url);
}
