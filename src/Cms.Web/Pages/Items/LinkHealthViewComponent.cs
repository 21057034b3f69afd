using Cms.Application.Links;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// A related link's health on its card (the link checker's last word), read through LinkHealthView
// so the item page's read model stays as it is.
public sealed class LinkHealthViewComponent(LinkHealthView health) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(long itemId, string? url) =>
        await health.ForAsync(itemId, url, HttpContext.RequestAborted) is { } known
            ? View(known)
            : Content("");
}
