using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Items;

public sealed class SourceRevisionPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{

    private static TestItem Story() => new() { Title = "Revised story " + Unique.Tag(), Quality = 40, Excerpt = "Old route" };

    private static Dictionary<string, string> DecideForm(string html) => new()
    {
        ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
        ["Decide.RevisionId"] = Html.Field(html, "Decide.RevisionId"),
        ["Decide.Version"] = Html.Field(html, "Decide.Version"),
    };

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, IEnumerable<KeyValuePair<string, string>> form) =>
        await client.PostAsync(url, new FormUrlEncodedContent(form));

    [Fact]
    public async Task A_pending_revision_is_compared_field_by_field_at_the_top_with_decoded_values()
    {
        var story = Story();
        var id = await Revisions.EditedItemWithRevisionAsync(App, story);
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        Assert.True(html.IndexOf("id=\"revision-table\"", StringComparison.Ordinal) is > 0 and var table
            && table < html.IndexOf("id=\"edit-form\"", StringComparison.Ordinal), "the comparison comes before the edit form");
        var text = WebUtility.HtmlDecode(html);
        Assert.Contains(Revisions.DecodedExcerpt, text);
        Assert.DoesNotContain("\\u2013", text);
        Assert.DoesNotContain("int \"", text);
        Assert.DoesNotContain("string \"", text);
        // Not changed here: ticked; changed by an editor (quality 40 -> 77): left unticked, marked.
        var page = Html.Parse(html);
        Assert.True(page.One("input#revision-field-title[name='Decide.Fields'][value=title]").HasAttribute("checked"));
        Assert.False(page.One("input#revision-field-quality[name='Decide.Fields'][value=quality]").HasAttribute("checked"));
        Assert.Contains("edited here", html);
    }

    [Fact]
    public async Task Accepting_the_ticked_fields_applies_them_keeps_the_others_and_clears_source_changed()
    {
        var story = Story();
        var id = await Revisions.EditedItemWithRevisionAsync(App, story);
        var editor = await SignedInAsync(Roles.Editor);
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var form = DecideForm(html).ToList();
        form.Add(new("Decide.Fields", "title"));
        form.Add(new("Decide.Fields", "excerpt"));

        var response = await PostAsync(editor, $"/Items/Details/{id}?handler=AcceptRevision", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((story.Title + " (updated)", Revisions.DecodedExcerpt, 77, false), (item.Title, item.Excerpt, item.Quality, item.SourceChanged));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemRevisionAccepted && a.EntityId == id.ToString())));
        var after = await editor.GetStringAsync($"/Items/Details/{id}");
        Assert.Null(Html.Parse(after).QuerySelector("#revision"));
        Assert.Contains("Source revision accepted.", after);
    }

    [Fact]
    public async Task Accept_all_takes_the_incoming_value_of_a_field_the_editor_changed()
    {
        var id = await Revisions.EditedItemWithRevisionAsync(App, Story());
        var editor = await SignedInAsync(Roles.Editor);
        var form = DecideForm(await editor.GetStringAsync($"/Items/Details/{id}"));
        form["Decide.All"] = "true";

        var response = await PostAsync(editor, $"/Items/Details/{id}?handler=AcceptRevision", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(52, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Fact]
    public async Task Dismissing_keeps_the_item_and_takes_it_out_of_the_source_changed_filter()
    {
        var story = Story();
        var id = await Revisions.EditedItemWithRevisionAsync(App, story);
        var editor = await SignedInAsync(Roles.Editor);
        var form = DecideForm(await editor.GetStringAsync($"/Items/Details/{id}"));

        var response = await PostAsync(editor, $"/Items/Details/{id}?handler=DismissRevision", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((story.Title, 77, false), (item.Title, item.Quality, item.SourceChanged));
        Assert.Equal(RevisionStatus.Dismissed, Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == id).Status));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemRevisionDismissed && a.EntityId == id.ToString())));
        var queue = await editor.GetStringAsync($"/?View.SourceChanged=true&View.Q={Uri.EscapeDataString(story.Title)}");
        Assert.DoesNotContain($"/Items/Details/{id}", queue);
    }

    [Fact]
    public async Task Accepting_after_someone_saved_is_a_conflict_that_shows_the_comparison_again()
    {
        var story = Story();
        var id = await Revisions.EditedItemWithRevisionAsync(App, story);
        var editor = await SignedInAsync(Roles.Editor);
        var form = DecideForm(await editor.GetStringAsync($"/Items/Details/{id}"));
        form["Decide.All"] = "true";
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.Quality, 78)));

        var response = await PostAsync(editor, $"/Items/Details/{id}?handler=AcceptRevision", form);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var page = Html.Parse(html);
        Assert.NotNull(page.QuerySelector("#revision-error"));
        Assert.NotNull(page.QuerySelector("#revision-table"));
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((story.Title, 78, true), (item.Title, item.Quality, item.SourceChanged));
    }
}
