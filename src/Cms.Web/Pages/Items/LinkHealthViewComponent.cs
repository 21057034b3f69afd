using Cms.Application.Links;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// A related link's health on its card (the link checker's last word), read through LinkHealthView
// so the item page's read model stays as it is. A moved link offers its new address: the button
// posts the page's replace-link form (outside the edit form, so typed edits are not half-saved).
public sealed class LinkHealthViewComponent(LinkHealthView health) : ViewComponent
{
    public sealed record Card(LinkHealthView.Health Health, long LinkId);

    public async Task<IViewComponentResult> InvokeAsync(long itemId, long linkId, string? url) =>
        await health.ForAsync(itemId, url, HttpContext.RequestAborted) is { } known
            ? View(new Card(known, linkId))
            : Content("");
}
