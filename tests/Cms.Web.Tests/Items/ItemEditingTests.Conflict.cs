using System.Net;
using Cms.Web.Tests.Infrastructure;
using Cms.Core.Items;

namespace Cms.Web.Tests.Items;

// The conflict page: every editable field side by side, and the one-click re-apply.
public sealed partial class ItemEditingTests
{
    // The fields of the re-apply form on a conflict page, as the browser would post them.
    private static Dictionary<string, string> ReapplyForm(string html) =>
        Html.Parse(html).One("form#reapply-form").QuerySelectorAll("input[type=hidden]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");

    // Alice approves the first link; Bob, from the same version, rejects it with a reason, changes
    // quality and topics and writes a note: his save is the one that conflicts.
    private async Task<(long Id, HttpClient Bob, string Html)> BobConflictsAsync()
    {
        var (id, alice, aliceForm, bob, bobForm) = await TwoEditorsOpenTheItemAsync();
        aliceForm["Input.Links[0].Decision"] = "Approved";
        aliceForm["Input.Note"] = "alice approved one";
        Assert.Equal(HttpStatusCode.Redirect, (await alice.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(aliceForm))).StatusCode);
        bobForm["Input.Quality"] = "88";
        bobForm["Input.Links[0].Decision"] = "Rejected";
        bobForm["Input.Links[0].Reason"] = "paywalled & stale";
        bobForm["Input.Links[1].Decision"] = "Approved";
        bobForm["Input.Note"] = "bob's careful note";
        var second = await bob.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(bobForm));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        return (id, bob, await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_conflict_page_shows_the_second_editors_link_decisions_reasons_and_note_beside_the_current_ones()
    {
        var (_, _, html) = await BobConflictsAsync();

        var page = Html.Parse(html);
        // Field, his value, the current one.
        var rows = page.QuerySelectorAll("#conflict-table tbody tr").Select(r => r.Cells().Skip(1).ToList()).ToList();
        Assert.Contains(["Rejected (paywalled & stale)", "Approved"], rows);
        Assert.Contains(["Approved", "Pending"], rows);
        Assert.Equal(["bob's careful note", "alice approved one"], page.One("#conflict-my-note").ParentElement!.Cells().Skip(1));
        // The form below keeps his note instead of coming back empty.
        Assert.Equal("bob's careful note", page.One("#edit-form textarea[name='Input.Note']").TextContent.Trim());
    }

    [Fact]
    public async Task Reapplying_my_values_saves_them_onto_the_current_version_in_one_click()
    {
        var (id, bob, html) = await BobConflictsAsync();

        var response = await bob.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(ReapplyForm(html)));

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        Assert.Equal(88, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        var links = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.Equal([LinkDecision.Rejected, LinkDecision.Approved], links.Select(l => l.Decision));
        Assert.Equal("paywalled & stale", links[0].Reason);
        var edits = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "item.edited" && a.EntityId == id.ToString()).OrderBy(a => a.Id).Select(a => a.Data).ToList());
        Assert.Equal(2, edits.Count);
        Assert.Contains("careful note", edits[1]); // JSON escapes the apostrophe
    }
}
