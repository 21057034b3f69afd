using System.Net;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Items;

// Each test edits its own copy of the story (unique title and URL) and looks only at that item.
public sealed partial class ItemEditingTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly TestItem _source = new()
    {
        Title = "Editable story " + Unique.Tag(),
        Category = "news",
        Quality = 40,
        Topics = ["AI"],
        Related = [("First", "https://a.example/1"), ("Second", "https://b.example/2")],
    };

    [Fact]
    public async Task The_edit_form_keeps_a_category_the_list_no_longer_holds_selected_so_a_save_does_not_clear_it()
    {
        var category = "legacy " + Unique.Tag();
        var source = _source with { Category = category };
        await ImportAsync(source);
        var id = ItemId(source);
        Factory.WithDb(db => db.Database.ExecuteSqlRaw("DELETE FROM categories WHERE name = {0}", category));
        var editor = await SignedInAsync(Roles.Editor);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{id}"));

        // What the browser posts: the selected option's value, or its text when it has none (or the
        // first option, "(none)", when none is selected).
        var select = page.QuerySelector("select[name='Input.Category']")!;
        var option = (select.QuerySelector("option[selected]") ?? select.QuerySelector("option"))!;
        Assert.Equal(category, option.GetAttribute("value") ?? option.TextContent);
    }

    private async Task<(string Html, Dictionary<string, string> Form)> OpenAsync(HttpClient client, long id)
    {
        var html = await client.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = page.Field("Input.Version"),
            ["Input.Quality"] = "40",
            ["Input.Category"] = "news",
            ["Input.Topics"] = "AI",
        };
        foreach (var link in page.QuerySelectorAll("#edit-form input[name^='Input.Links['][name$='].Id']"))
        {
            var name = link.GetAttribute("name")!;
            form[name] = link.GetAttribute("value")!;
            form[name.Replace(".Id", ".Decision")] = "Pending";
        }
        return (html, form);
    }

    // Two signed-in editors, each with the item page loaded and its form ready to post.
    private async Task<(long Id, HttpClient Alice, Dictionary<string, string> AliceForm, HttpClient Bob, Dictionary<string, string> BobForm)> TwoEditorsOpenTheItemAsync()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var alice = await SignedInAsync(Roles.Editor);
        var bob = await SignedInAsync(Roles.Editor);
        var (_, aliceForm) = await OpenAsync(alice, id);
        var (_, bobForm) = await OpenAsync(bob, id);
        return (id, alice, aliceForm, bob, bobForm);
    }

    [Fact]
    public async Task A_save_changes_quality_topics_and_link_decisions_in_one_audited_transaction()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var (_, form) = await OpenAsync(editor, id);
        form["Input.Quality"] = "72";
        form["Input.Links[0].Decision"] = "Approved";
        form["Input.Links[1].Decision"] = "Rejected";
        form["Input.Links[1].Reason"] = "paywalled";
        form["Input.Note"] = "checked sources";

        var response = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal(72, item.Quality);
        Assert.NotNull(item.EditedAt);
        var links = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.Equal([LinkDecision.Approved, LinkDecision.Rejected], links.Select(l => l.Decision));
        Assert.Equal("paywalled", links[1].Reason);
        var audit = Factory.WithDb(db => db.AuditEvents.Single(a => a.Action == "item.edited" && a.EntityId == id.ToString()));
        Assert.Contains("checked sources", audit.Data);
        Assert.Contains("\"quality\"", audit.Data);
    }

    [Fact]
    public async Task Two_sessions_save_the_same_item_and_the_second_gets_the_conflict_page()
    {
        var (id, alice, aliceForm, bob, bobForm) = await TwoEditorsOpenTheItemAsync();
        aliceForm["Input.Quality"] = "61";
        bobForm["Input.Quality"] = "99";
        bobForm["Input.Links[0].Decision"] = "Approved";

        var first = await alice.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(aliceForm));
        var second = await bob.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(bobForm));

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var html = await second.Content.ReadAsStringAsync();
        Assert.Matches(@"editor-\w+@example.com saved this item at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC, after you opened it.", Html.Parse(html).One("#conflict-message").Text());
        var quality = Html.Parse(html).QuerySelectorAll("#conflict-table tr").Single(r => r.Cells().FirstOrDefault() == "Quality");
        Assert.Equal(["Quality", "99", "61"], quality.Cells());
        Assert.Equal(61, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).ToList()), l => Assert.Equal(LinkDecision.Pending, l.Decision));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.edited" && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task A_link_decision_alone_bumps_the_item_version_so_a_stale_quality_save_conflicts()
    {
        var (id, alice, aliceForm, bob, bobForm) = await TwoEditorsOpenTheItemAsync();
        aliceForm["Input.Links[1].Decision"] = "Rejected";
        bobForm["Input.Quality"] = "12";

        await alice.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(aliceForm));
        var second = await bob.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(bobForm));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(40, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Theory]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("abc")]
    public async Task An_invalid_quality_is_refused_with_a_message_and_changes_nothing(string quality)
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var (_, form) = await OpenAsync(editor, id);
        var before = Factory.WithDb(db => db.Items.Single(i => i.Id == id).Version);
        form["Input.Quality"] = quality;
        form["Input.Links[0].Decision"] = "Approved";

        var response = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Matches("Quality must be a whole number from 0 to 100.|The value &#x27;abc&#x27; is not valid", html);
        Assert.Equal(before, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Version));
        Assert.Equal(40, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        Assert.Equal(0, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.edited" && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task A_category_outside_the_managed_list_is_refused()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var (_, form) = await OpenAsync(editor, id);
        form["Input.Category"] = "made-up";

        var response = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.Contains("Choose a category from the list.", await response.Content.ReadAsStringAsync());
        Assert.Equal("news", Factory.WithDb(db => db.Items.Single(i => i.Id == id).Category));
    }

    [Fact]
    public async Task An_editor_cannot_create_a_topic_but_a_publisher_can()
    {
        await ImportAsync(_source);
        var id = ItemId(_source);
        var editor = await SignedInAsync(Roles.Editor);
        var publisher = await SignedInAsync(Roles.Publisher);
        var quantum = "Quantum " + Unique.Tag();

        var (_, editorForm) = await OpenAsync(editor, id);
        editorForm["Input.Topics"] = "AI, " + quantum;
        var refused = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(editorForm));
        var (_, publisherForm) = await OpenAsync(publisher, id);
        publisherForm["Input.Topics"] = "AI, " + quantum;
        var accepted = await publisher.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(publisherForm));

        Assert.Contains("Unknown topic: " + quantum, await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(["AI", quantum], Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList()));
    }
}
