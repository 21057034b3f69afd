using System.Net;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Hostile;

// A link can carry anything in its query string; only the form the editor submits may change data.
public sealed class QueryBindingTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_link_that_smuggles_a_link_decision_into_the_query_string_changes_nothing_when_the_editor_saves()
    {
        var item = new TestItem { RelatedCount = 3 };
        await ImportAsync(item);
        var id = ItemId(item);
        var links = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => l.Id).ToList());
        var editor = await SignedInAsync(Roles.Editor);
        var malicious = $"/Items/Details/{id}?View.Sort=quality&Input.Links%5B3%5D.Id={links[0]}&Input.Links%5B3%5D.Decision=Approved&Input.Quality=1";

        // The editor follows the link, then saves a quality change from the page's own form.
        var page = await editor.GetStringAsync(malicious);
        var action = Html.Parse(page).One("form#edit-form").GetAttribute("action")!;
        var form = new Dictionary<string, string>
        {
            ["Input.Version"] = Html.Field(page, "Input.Version"),
            ["Input.Quality"] = "64",
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
        };
        for (var i = 0; i < links.Count; i++)
        {
            form[$"Input.Links[{i}].Id"] = links[i].ToString();
            form[$"Input.Links[{i}].Decision"] = "Pending";
        }
        var response = await editor.PostAsync(action, new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"/Items/Details/{id}?", action);
        Assert.Contains("View.Sort=quality", action);
        Assert.DoesNotContain("Input.", action);
        Assert.Equal(64, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).Select(l => l.Decision).ToList()), d => Assert.Equal(LinkDecision.Pending, d));
    }

    [Fact]
    public async Task Input_posted_in_the_query_string_alone_is_not_bound()
    {
        var item = new TestItem { RelatedCount = 1 };
        await ImportAsync(item);
        var id = ItemId(item);
        var link = Factory.WithDb(db => db.RelatedLinks.Single(l => l.ItemId == id).Id);
        var editor = await SignedInAsync(Roles.Editor);
        var page = await editor.GetStringAsync($"/Items/Details/{id}");

        await editor.PostAsync(
            $"/Items/Details/{id}?Input.Version={Html.Field(page, "Input.Version")}&Input.Quality=3&Input.Links%5B0%5D.Id={link}&Input.Links%5B0%5D.Decision=Approved",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Http.AntiforgeryToken(page) }));

        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        Assert.Equal(LinkDecision.Pending, Factory.WithDb(db => db.RelatedLinks.Single(l => l.Id == link).Decision));
    }

    [Fact]
    public async Task A_bulk_action_smuggled_into_the_queue_link_does_not_reach_the_bulk_form()
    {
        var item = new TestItem { Title = "Bulk target " + Unique.Tag() };
        await ImportAsync(item);
        var id = ItemId(item);
        var editor = await SignedInAsync(Roles.Editor);

        var page = await editor.GetStringAsync($"/?View.Sort=heat&Bulk.Ids={id}&Bulk.Action=Reject");
        // The editor submits the bulk form without choosing anything: only the link names an item.
        var response = await editor.PostAsync($"/?handler=Bulk&View.Sort=heat&Bulk.Ids={id}&Bulk.Action=Reject",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Bulk.Topic"] = "", ["__RequestVerificationToken"] = Http.AntiforgeryToken(page) }));

        Assert.DoesNotContain("Bulk.Ids=", WebUtility.HtmlDecode(page));
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }
}
