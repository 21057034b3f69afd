using System.ComponentModel.DataAnnotations;
using Cms.Application.Delivery;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Admin.Delivery;

// Webhook endpoints (`./cms webhooks` does the same); each endpoint's delivery log is on Log.
public sealed class WebhooksModel(WebhookEndpoints endpoints) : DeliveryPageModel
{
    public IReadOnlyList<WebhookEndpoints.EndpointRow> Endpoints { get; private set; } = [];

    [BindProperty]
    [FromForm]
    public EndpointInput Input { get; set; } = new();

    public sealed class EndpointInput
    {
        [StringLength(2048)]
        [Display(Name = "URL")]
        public string? Url { get; set; }

        [Display(Name = "Events")]
        public List<string> Events { get; set; } = [];

        public long Id { get; set; }

        // Whole hours: a RangeAttribute(int, int) over a double converts it and throws on 1e20 or NaN.
        [Range(0, 720)]
        public int OverlapHours { get; set; } = 24;
    }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        var outcome = await endpoints.AddAsync(Actors.Of(HttpContext), Input.Url, Input.Events, ct);
        return await ResultAsync(outcome.Result, ct, outcome.Succeeded ? outcome.Value.Secret : null);
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken ct)
    {
        var outcome = await endpoints.RotateSecretAsync(Actors.Of(HttpContext), Input.Id, TimeSpan.FromHours(Input.OverlapHours), ct);
        return await ResultAsync(outcome.Result, ct, outcome.Value);
    }

    public async Task<IActionResult> OnPostDisableAsync(CancellationToken ct) =>
        await ResultAsync(await endpoints.DisableAsync(Actors.Of(HttpContext), Input.Id, ct), ct);

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken ct) =>
        await ResultAsync(await endpoints.EnableAsync(Actors.Of(HttpContext), Input.Id, ct), ct);

    protected override async Task LoadAsync(CancellationToken ct) => Endpoints = await endpoints.ListAsync(ct);
}
