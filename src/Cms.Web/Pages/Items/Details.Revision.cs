using Cms.Application;
using Cms.Application.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Items;

// The item page's pending source revision: the field-by-field comparison at the top of the page,
// and its Accept / Dismiss forms. SourceRevisions checks permission and version whatever the page showed.
public sealed partial class DetailsModel
{
    public SourceRevisions.Comparison? Comparison { get; private set; }

    [BindProperty]
    [FromForm]
    public RevisionInput Decide { get; set; } = new();

    public sealed class RevisionInput
    {
        public long RevisionId { get; set; }
        public uint Version { get; set; }

        // The fields ticked in the comparison; All takes every field that differs.
        public List<string> Fields { get; set; } = [];
        public bool All { get; set; }
    }

    public async Task<IActionResult> OnPostAcceptRevisionAsync(long id, CancellationToken ct) =>
        await RevisionResultAsync(id, await sourceRevisions.AcceptAsync(
            Actors.Of(HttpContext), id, Decide.RevisionId, Decide.Version, Decide.All ? null : Decide.Fields, ct), ct);

    public async Task<IActionResult> OnPostDismissRevisionAsync(long id, CancellationToken ct) =>
        await RevisionResultAsync(id, await sourceRevisions.DismissAsync(Actors.Of(HttpContext), id, Decide.RevisionId, Decide.Version, ct), ct);

    private async Task<IActionResult> RevisionResultAsync(long id, Outcome outcome, CancellationToken ct)
    {
        switch (outcome.Status)
        {
            case OutcomeStatus.Ok:
                StatusMessage = outcome.Message;
                return Redirect(UrlFor(id));
            case OutcomeStatus.NotFound:
                return NotFound();
            case OutcomeStatus.Forbidden:
                return Forbid();
            default:
                // A conflict (someone saved or decided first) or a refused field: the page again,
                // with the comparison as it is now and the reason above it.
                ModelState.Clear();
                ModelState.AddModelError("Decide.Fields", outcome.Message ?? "Not accepted.");
                var page = await ReloadAsync(id, ct);
                if (outcome.Status == OutcomeStatus.Conflict && page is PageResult)
                {
                    Response.StatusCode = StatusCodes.Status409Conflict;
                }
                return page;
        }
    }

    private async Task LoadRevisionAsync(long id, CancellationToken ct) =>
        Comparison = await sourceRevisions.CompareAsync(id, ct);
}
