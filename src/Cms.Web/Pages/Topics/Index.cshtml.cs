using System.ComponentModel.DataAnnotations;
using Cms.Application;
using Cms.Application.Topics;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Topics;

// The managed topic vocabulary. Items reference topics by id, so a rename reaches every item at
// once; a merge moves the items of one topic to another and removes the first.
public sealed class IndexModel(TopicAdministration topics) : PageModel
{
    public IReadOnlyList<TopicAdministration.Row> Topics { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    [BindProperty]
    [FromForm]
    public CreateInput Create { get; set; } = new();

    [BindProperty]
    [FromForm]
    public RenameInput Rename { get; set; } = new();

    // "Create these topics" from an import report: the names the report's link carries.
    [BindProperty]
    [FromForm]
    public CreateManyInput CreateMany { get; set; } = new();

    public IReadOnlyList<string> Missing { get; private set; } = [];

    [BindProperty]
    [FromForm]
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

    public sealed class CreateManyInput
    {
        public List<string> Names { get; set; } = [];
    }

    public sealed class MergeInput
    {
        [Display(Name = "Merge")]
        public int From { get; set; }

        [Display(Name = "into")]
        public int Into { get; set; }
    }

    public async Task OnGetAsync([FromQuery(Name = "missing")] string[]? missing, CancellationToken ct)
    {
        Missing = missing is { Length: > 0 } ? await topics.StillMissingAsync(missing, ct) : [];
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostCreateManyAsync(CancellationToken ct) =>
        await RenderAsync("CreateMany", IsValid("CreateMany") ? await topics.CreateManyAsync(Actors.Of(HttpContext), CreateMany.Names, ct) : null, ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct) =>
        await RenderAsync("Create", IsValid("Create") ? await topics.CreateAsync(Actors.Of(HttpContext), Create.Name, ct) : null, ct);

    public async Task<IActionResult> OnPostRenameAsync(CancellationToken ct) =>
        await RenderAsync("Rename", IsValid("Rename") ? await topics.RenameAsync(Actors.Of(HttpContext), Rename.Id, Rename.Name, ct) : null, ct);

    public async Task<IActionResult> OnPostMergeAsync(CancellationToken ct) =>
        await RenderAsync("Merge", IsValid("Merge") ? await topics.MergeAsync(Actors.Of(HttpContext), Merge.From, Merge.Into, ct) : null, ct);

    // Null outcome: the form itself was invalid (its messages are in ModelState already).
    private async Task<IActionResult> RenderAsync(string form, Outcome? outcome, CancellationToken ct)
    {
        // The page has three forms; only this one's messages belong on it.
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith(form + ".", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        return await this.AnswerAsync(outcome ?? Outcome.Invalid([]), () =>
        {
            StatusMessage = outcome!.Message;
            return RedirectToPage();
        }, async () =>
        {
            await LoadAsync(ct);
            return Page();
        }, prefix: form);
    }

    // Each form validates only its own fields.
    private bool IsValid(string prefix) =>
        ModelState.Where(e => e.Key.StartsWith(prefix + ".", StringComparison.Ordinal)).All(e => e.Value!.Errors.Count == 0);

    private async Task LoadAsync(CancellationToken ct) => Topics = await topics.ListAsync(ct);
}
