using System.Net;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

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

    // An item with no links in the given state, and a POST to its workflow form carrying nothing
    // but the antiforgery token, by someone of the role, to the given query string.
    private async Task<(long Id, HttpResponseMessage Response)> EmptyMoveAsync(WorkflowState state, string role, string query)
    {
        var item = new TestItem { RelatedCount = 0 };
        await ImportAsync(item);
        var id = ItemId(item);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.State, state)
            .SetProperty(i => i.ReadyBy, state == WorkflowState.Ready ? "someone-else" : null)));
        var client = await SignedInAsync(role);
        var page = await client.GetStringAsync($"/Items/Details/{id}");
        var response = await client.PostAsync($"/Items/Details/{id}?{query}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Http.AntiforgeryToken(page) }));
        return (id, response);
    }

    [Fact]
    public async Task A_workflow_move_in_the_query_string_alone_moves_nothing()
    {
        var (id, response) = await EmptyMoveAsync(WorkflowState.Ready, Roles.Publisher, "handler=Transition&Move.Action=Publish");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Choose a move.", await response.Content.ReadAsStringAsync());
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task A_workflow_post_without_a_move_does_not_mark_the_item_ready()
    {
        var (id, response) = await EmptyMoveAsync(WorkflowState.New, Roles.Editor, "handler=Transition");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task A_sign_in_name_in_the_query_string_is_not_bound_so_it_cannot_dodge_the_per_account_limit()
    {
        var email = $"query-{Unique.Tag()}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var client = Factory.Browser();
        var page = await client.GetStringAsync("/Account/Login");

        // The per-account limiter reads the name from the form; a name only in the query string
        // would be counted against no account.
        var response = await client.PostAsync($"/Account/Login?Input.Email={Uri.EscapeDataString(email)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Password"] = Password,
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Factory.WithDb(db => db.Users.Single(u => u.Email == email).LastSignInAt.HasValue));
    }

    // Every form model of every page: a [BindProperty] that is not a GET filter binds from the body only.
    [Fact]
    public void Every_posted_form_model_binds_from_the_form_body_only()
    {
        var pages = typeof(Program).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Microsoft.AspNetCore.Mvc.RazorPages.PageModel)));
        var bound = pages.SelectMany(t => t.GetProperties().Select(p => (Page: t, Property: p)))
            .Where(x => x.Property.GetCustomAttributes(typeof(Microsoft.AspNetCore.Mvc.BindPropertyAttribute), true)
                .Cast<Microsoft.AspNetCore.Mvc.BindPropertyAttribute>().Any(b => !b.SupportsGet))
            .ToList();
        var open = bound.Where(x => !x.Property.IsDefined(typeof(Microsoft.AspNetCore.Mvc.FromFormAttribute), true))
            .Select(x => $"{x.Page.Name}.{x.Property.Name}").ToList();

        Assert.True(bound.Count >= 15, $"found only {bound.Count} form models");
        Assert.Empty(open);
    }
}
