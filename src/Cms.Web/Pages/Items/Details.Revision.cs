using Cms.Application;
using Cms.Application.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cms.Web.Pages.Items;

// The item page's pending source revision: the Accept / Dismiss forms of the comparison at the
// top of the page. SourceRevisions checks permission and version whatever the page showed.
public sealed partial class DetailsModel
{
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

    public async Task<IActionResult> OnPostAcceptRevisionAsync(long id, [FromServices] SourceRevisions revisions, CancellationToken ct) =>
        await RevisionAnswerAsync(id, await revisions.AcceptAsync(
            Actors.Of(HttpContext), id, Decide.RevisionId, Decide.Version, Decide.All ? null : Decide.Fields, ct), ct);

    public async Task<IActionResult> OnPostDismissRevisionAsync(long id, [FromServices] SourceRevisions revisions, CancellationToken ct) =>
        await RevisionAnswerAsync(id, await revisions.DismissAsync(Actors.Of(HttpContext), id, Decide.RevisionId, Decide.Version, ct), ct);

    // A conflict (someone saved or decided first) or a refused field: the page again, with the
    // comparison as it is now and the reason above it.
    private Task<IActionResult> RevisionAnswerAsync(long id, Outcome outcome, CancellationToken ct)
    {
        if (!outcome.Succeeded)
        {
            ModelState.Clear();
        }
        return this.AnswerAsync(outcome, () =>
        {
            StatusMessage = outcome.Message;
            return Redirect(UrlFor(id));
        }, () => ReloadAsync(id, ct), prefix: "Decide", messageKey: "Decide.Fields");
    }
}
