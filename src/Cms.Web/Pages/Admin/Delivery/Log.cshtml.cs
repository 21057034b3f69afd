using Cms.Application.Delivery;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Admin.Delivery;

// One endpoint's latest deliveries with the receiver's last answer, and Replay.
public sealed class LogModel(WebhookEndpoints endpoints) : DeliveryPageModel
{
    [BindProperty(SupportsGet = true)]
    public long Id { get; set; }

    [BindProperty]
    [FromForm]
    public long Delivery { get; set; }

    public WebhookEndpoints.EndpointRow? Endpoint { get; private set; }

    public IReadOnlyList<WebhookEndpoints.LogRow> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return Endpoint is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(CancellationToken ct) =>
        await ResultAsync(await endpoints.ReplayAsync(Actors.Of(HttpContext), Delivery, ct), ct, routeValues: new { Id });

    protected override async Task LoadAsync(CancellationToken ct)
    {
        Endpoint = (await endpoints.ListAsync(ct)).FirstOrDefault(e => e.Id == Id);
        Rows = await endpoints.LogAsync(Id, ct);
    }
}
