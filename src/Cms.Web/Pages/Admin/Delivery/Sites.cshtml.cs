using System.ComponentModel.DataAnnotations;
using Cms.Application.Delivery;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Admin.Delivery;

// Consuming sites and their API/feed tokens (`./cms sites` does the same).
public sealed class SitesModel(DeliverySites sites) : DeliveryPageModel
{
    public IReadOnlyList<DeliverySites.SiteRow> Sites { get; private set; } = [];

    [BindProperty]
    [FromForm]
    public SiteInput Input { get; set; } = new();

    public sealed class SiteInput
    {
        [Required]
        [StringLength(100)]
        [Display(Name = "Site name")]
        public string Name { get; set; } = "";

        // Whole hours: a RangeAttribute(int, int) over a double converts it and throws on 1e20 or NaN.
        [Range(0, 720)]
        [Display(Name = "Old tokens keep working for (hours)")]
        public int OverlapHours { get; set; } = 24;
    }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var outcome = await sites.CreateAsync(Actors.Of(HttpContext), Input.Name, ct);
        return await ResultAsync(outcome.Result, ct, outcome.Value);
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var outcome = await sites.RotateAsync(Actors.Of(HttpContext), Input.Name, TimeSpan.FromHours(Input.OverlapHours), ct);
        return await ResultAsync(outcome.Result, ct, outcome.Value);
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken ct) =>
        await ResultAsync(await sites.RevokeAsync(Actors.Of(HttpContext), Input.Name, ct), ct);

    protected override async Task LoadAsync(CancellationToken ct) => Sites = await sites.ListAsync(ct);
}
