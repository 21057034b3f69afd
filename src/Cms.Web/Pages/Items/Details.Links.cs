using Cms.Application.Links;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// A moved related link's "Use the new URL" (the replace-link form): ReplaceLinkUrl takes the
// address from the link checker, never from the form, and checks the item's version.
public sealed partial class DetailsModel
{
    [BindProperty]
    [FromForm]
    public ReplaceInput Replace { get; set; } = new();

    public sealed class ReplaceInput
    {
        public long LinkId { get; set; }
        public uint Version { get; set; }
    }

    public async Task<IActionResult> OnPostReplaceLinkAsync(long id, [FromServices] ReplaceLinkUrl replace, CancellationToken ct)
    {
        var outcome = await replace.HandleAsync(Actors.Of(HttpContext), new ReplaceLinkUrl.Request(id, Replace.LinkId, Replace.Version), ct);
        if (!outcome.Succeeded)
        {
            ModelState.Clear();
        }
        return await this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(UrlFor(id));
        }, () => ReloadAsync(id, ct), prefix: "Replace");
    }
}
