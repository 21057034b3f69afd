using Cms.Application.Links;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Links;

// For the publisher (folder /Links: PublishItems): published items whose approved related link the
// link checker found broken, to correct or withdraw.
public sealed class BrokenModel(BrokenLinks broken) : PageModel
{
    public IReadOnlyList<BrokenLinks.Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Rows = await broken.PublishedAsync(ct);
}
