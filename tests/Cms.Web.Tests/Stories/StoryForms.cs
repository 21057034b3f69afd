using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Stories;

// The story page's forms as an editor posts them (merge, split, move), and the item page's review.
internal static class StoryForms
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, long pageItem, string handler, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await client.GetStringAsync($"/Items/Story/{pageItem}");
        var form = fields.Append(new("__RequestVerificationToken", Http.AntiforgeryToken(page)));
        return await client.PostAsync($"/Items/Story/{pageItem}?handler={handler}", new FormUrlEncodedContent(form));
    }

    public static Task<HttpResponseMessage> MergeAsync(HttpClient client, long lead, params long[] items) =>
        PostAsync(client, lead, "Merge", items.Select(i => new KeyValuePair<string, string>("Merge.ItemIds", i.ToString()))
            .Prepend(new("Merge.LeadId", lead.ToString())));

    // The item page's edit form with each link decided by URL (the rest left Pending), posted
    // with a workflow move (or as a plain save when move is null).
    public static async Task<HttpResponseMessage> ReviewAsync(CmsFactory factory, HttpClient client, long id, WorkflowAction? move, params (string Url, LinkDecision Decision)[] decisions)
    {
        var urls = factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).ToDictionary(l => l.Id.ToString(), l => l.Url!));
        var html = await client.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = page.Field("Input.Version"),
            ["Input.Quality"] = page.Field("Input.Quality"),
        };
        foreach (var card in page.QuerySelectorAll("#edit-form .related-link"))
        {
            var idField = card.QuerySelector("input[name$='].Id']")!;
            var prefix = idField.GetAttribute("name")![..^".Id".Length];
            var linkId = idField.GetAttribute("value")!;
            form[prefix + ".Id"] = linkId;
            var decision = decisions.Where(d => d.Url == urls[linkId]).Select(d => (LinkDecision?)d.Decision).FirstOrDefault() ?? LinkDecision.Pending;
            form[prefix + ".Decision"] = decision.ToString();
            form[prefix + ".Reason"] = decision == LinkDecision.Rejected ? "another outlet says it better" : "";
        }
        if (move is { } action)
        {
            form["Move.Action"] = action.ToString();
        }
        return await client.PostAsync(move is null ? $"/Items/Details/{id}" : $"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(form));
    }
}
