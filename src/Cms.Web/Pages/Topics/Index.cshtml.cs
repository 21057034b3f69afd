using System.ComponentModel.DataAnnotations;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Pages.Topics;

// The managed topic vocabulary. Items reference topics by id, so a rename reaches every item at
// once; a merge moves the items of one topic to another and removes the first.
public sealed class IndexModel(CmsDbContext db) : PageModel
{
    public sealed record Row(int Id, string Name, bool FromImport, int Items);

    public IReadOnlyList<Row> Topics { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public CreateInput Create { get; set; } = new();

    [BindProperty]
    public RenameInput Rename { get; set; } = new();

    [BindProperty]
    public MergeInput Merge { get; set; } = new();

    public sealed class CreateInput
    {
        [Required]
        [StringLength(ItemParser.MaxTopicLength)]
        [Display(Name = "New topic")]
        public string Name { get; set; } = "";
    }

    public sealed class RenameInput
    {
        public int Id { get; set; }

        [Required]
        [StringLength(ItemParser.MaxTopicLength)]
        [Display(Name = "New name")]
        public string Name { get; set; } = "";
    }

    public sealed class MergeInput
    {
        [Display(Name = "Merge")]
        public int From { get; set; }

        [Display(Name = "into")]
        public int Into { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var name = Create.Name.Trim();
        if (ModelState.GetFieldValidationState("Create.Name") == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Valid
            && await db.Topics.AnyAsync(t => t.NormalizedName == TopicNames.Normalize(name), ct))
        {
            ModelState.AddModelError("Create.Name", $"The topic '{name}' already exists.");
        }
        if (!IsValid("Create"))
        {
            await LoadAsync(ct);
            return Page();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var topic = Topic.Create(name);
        db.Topics.Add(topic);
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, User.Identity!.Name!, "topic.created", "topic", topic.Id.ToString(), new { name });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"Created topic '{name}'.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRenameAsync(CancellationToken ct)
    {
        var topic = await db.Topics.FindAsync([Rename.Id], ct);
        var name = Rename.Name.Trim();
        if (topic is null)
        {
            ModelState.AddModelError("Rename.Id", "That topic no longer exists.");
        }
        else if (await db.Topics.AnyAsync(t => t.NormalizedName == TopicNames.Normalize(name) && t.Id != topic.Id, ct))
        {
            ModelState.AddModelError("Rename.Name", $"'{name}' already exists; merge the two topics instead.");
        }
        if (!IsValid("Rename"))
        {
            await LoadAsync(ct);
            return Page();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = topic!.Name;
        topic.Name = name;
        topic.NormalizedName = TopicNames.Normalize(name);
        var affected = await TouchItemsAsync([topic.Id], ct);
        AuditLog.Add(db, User.Identity!.Name!, "topic.renamed", "topic", topic.Id.ToString(), new { before, after = name, items = affected });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"Renamed '{before}' to '{name}' on {affected} items.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostMergeAsync(CancellationToken ct)
    {
        var from = await db.Topics.FindAsync([Merge.From], ct);
        var into = await db.Topics.FindAsync([Merge.Into], ct);
        if (from is null || into is null || from.Id == into.Id)
        {
            ModelState.AddModelError("Merge.From", "Choose two different topics.");
        }
        if (!IsValid("Merge"))
        {
            await LoadAsync(ct);
            return Page();
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var affected = await TouchItemsAsync([from!.Id], ct);
        // Items that had both keep one link; the others move to the surviving topic, keeping position.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO item_topics (item_id, topic_id, position) SELECT item_id, {into!.Id}, position FROM item_topics WHERE topic_id = {from.Id} ON CONFLICT DO NOTHING", ct);
        await db.ItemTopics.Where(t => t.TopicId == from.Id).ExecuteDeleteAsync(ct);
        db.Topics.Remove(from);
        AuditLog.Add(db, User.Identity!.Name!, "topic.merged", "topic", into.Id.ToString(), new { from = from.Name, into = into.Name, items = affected });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        StatusMessage = $"Merged '{from.Name}' into '{into.Name}' on {affected} items.";
        return RedirectToPage();
    }

    // The items' rows change too, so an editor holding one of them open gets a conflict instead of
    // saving the old topic list over the new one.
    private Task<int> TouchItemsAsync(int[] topicIds, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        return db.Items.Where(i => i.Topics.Any(t => topicIds.Contains(t.TopicId)))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, now), ct);
    }

    // Each form validates only its own fields.
    private bool IsValid(string prefix) =>
        ModelState.Where(e => e.Key.StartsWith(prefix + ".", StringComparison.Ordinal)).All(e => e.Value!.Errors.Count == 0);

    private async Task LoadAsync(CancellationToken ct) =>
        Topics = await db.Topics.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new Row(t.Id, t.Name, t.FromImport, db.ItemTopics.Count(it => it.TopicId == t.Id)))
            .ToListAsync(ct);
}
