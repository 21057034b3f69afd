using Cms.Application.Stories;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// The item page's "same story" panel: the story's other items and a way to the story page. Its own
// read (StoryView) keeps the item page's read model as it is.
public sealed class StoryPanelViewComponent(StoryView stories) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(long itemId) =>
        await stories.LoadAsync(Actors.Of(HttpContext), itemId, HttpContext.RequestAborted) is { } view
            ? View(view)
            : Content("");
}
