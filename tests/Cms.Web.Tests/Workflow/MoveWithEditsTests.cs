using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Workflow;

// A workflow move posted from the item page carries the edit form (the move buttons belong to it):
// the edits are saved in the same transaction as the move, or, when the move is refused, nothing is
// saved and the page comes back with what the editor typed.
public sealed class MoveWithEditsTests(WorkflowFixture fixture) : WebTest(fixture), IClassFixture<WorkflowFixture>
{
    private async Task<(long Id, string Topic, Dictionary<string, string> Form)> OpenAsync(HttpClient editor, params (string Title, string Url)[] related)
    {
        // The topic exists already (an editor may use topics, not create them).
        var topic = "Economy " + Unique.Tag();
        await ImportAsync(new TestItem { Topics = [topic] });
        var story = new TestItem { Quality = 55, Related = related };
        await ImportAsync(story);
        var id = ItemId(story);
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = page.Field("Input.Version"),
            ["Input.Quality"] = "55",
            ["Input.Topics"] = "",
        };
        foreach (var link in page.QuerySelectorAll("#edit-form input[name^='Input.Links['][name$='].Id']"))
        {
            var name = link.GetAttribute("name")!;
            form[name] = link.GetAttribute("value")!;
            form[name.Replace(".Id", ".Decision")] = "Pending";
        }
        return (id, topic, form);
    }

    [Fact]
    public async Task Mark_ready_with_unsaved_edits_saves_them_with_the_move_and_says_what_was_saved()
    {
        var editor = await fixture.As(Roles.Editor);
        var (id, topic, form) = await OpenAsync(editor, ("Coverage", "https://coverage.example/a"));
        form["Input.Quality"] = "90";
        form["Input.Topics"] = topic;
        form["Input.Links[0].Decision"] = "Approved";
        form["Move.Action"] = nameof(WorkflowAction.MarkReady);

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(form));
        var landed = await editor.GetStringAsync(response.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var item = Factory.WithDb(db => db.Items.Include(i => i.Topics).ThenInclude(t => t.Topic).Include(i => i.RelatedLinks).Single(i => i.Id == id));
        Assert.Equal(WorkflowState.Ready, item.State);
        Assert.Equal(90, item.Quality);
        Assert.Equal([topic], item.Topics.Select(t => t.Topic!.Name));
        Assert.Equal(LinkDecision.Approved, item.RelatedLinks.Single().Decision);
        var status = Html.Parse(landed).One("#status-message").Text();
        Assert.Equal($"Saved quality 55 → 90, topics {topic}, 1 related link. Marked ready: New → Ready.", status);
        // Both events, the edit before the move, in one transaction (consecutive ids; seq is set when sealed).
        var events = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action != AuditActions.ItemImported)
            .OrderBy(a => a.Id).Select(a => new { a.Action, a.Id }).ToList());
        Assert.Equal([AuditActions.ItemEdited, AuditActions.ItemStateChanged], events.Select(e => e.Action));
        Assert.Equal(events[0].Id + 1, events[1].Id);
    }

    [Fact]
    public async Task A_refused_move_saves_nothing_and_shows_the_form_with_what_the_editor_typed()
    {
        var editor = await fixture.As(Roles.Editor);
        var (id, _, form) = await OpenAsync(editor, ("Coverage", "https://coverage.example/b"));
        form["Input.Quality"] = "90";
        form["Input.Note"] = "checked the numbers";
        form["Move.Action"] = nameof(WorkflowAction.MarkReady);

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(form));
        var page = Html.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Decide every related link first (1 still pending).", page.One("#workflow-errors").Text());
        Assert.Contains(Cms.Application.Items.SaveAndMove.NothingSaved, page.One("#workflow-errors").Text());
        Assert.Equal("90", page.Field("Input.Quality"));
        Assert.Equal("checked the numbers", page.One("textarea[name='Input.Note']").TextContent.Trim());
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((WorkflowState.New, 55), (item.State, item.Quality));
        var actions = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString()).Select(a => a.Action).ToList());
        Assert.DoesNotContain(AuditActions.ItemEdited, actions);
        Assert.Contains(AuditActions.ItemTransitionRefused, actions);
    }

    [Fact]
    public async Task Save_mark_ready_and_next_lands_on_the_next_item_of_the_view()
    {
        var editor = await fixture.As(Roles.Editor);
        var category = "triage-" + Unique.Tag();
        var first = new TestItem { Category = category, Quality = 50, PublishedDateTime = TestItem.Utc(2024, 5, 2), RelatedCount = 0 };
        var second = new TestItem { Category = category, Quality = 50, PublishedDateTime = TestItem.Utc(2024, 5, 1), RelatedCount = 0 };
        await ImportAsync(first, second);
        var id = ItemId(first);
        var url = $"/Items/Details/{id}?View.Category={category}";
        var html = await editor.GetStringAsync(url);

        var response = await editor.PostAsync($"/Items/Details/{id}?View.Category={category}&handler=TransitionNext", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = Html.Field(html, "Input.Version"),
            ["Input.Quality"] = "70",
            ["Input.Topics"] = "",
            ["Move.Action"] = nameof(WorkflowAction.MarkReady),
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Items/Details/{ItemId(second)}?View.Category={category}", response.Headers.Location!.ToString());
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((WorkflowState.Ready, 70), (item.State, item.Quality));
    }

    [Fact]
    public async Task A_lost_race_names_who_saved_and_when()
    {
        var editor = await fixture.As(Roles.Editor);
        var (id, _, form) = await OpenAsync(editor);
        var rival = await fixture.As(Roles.Publisher);
        var rivalPage = await rival.GetStringAsync($"/Items/Details/{id}");
        var rivalSave = await rival.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(rivalPage),
            ["Input.Version"] = form["Input.Version"],
            ["Input.Quality"] = "60",
            ["Input.Topics"] = "",
        }));
        var saved = Factory.WithDb(db => db.Items.Where(i => i.Id == id).Select(i => new { i.EditedBy, i.EditedAt }).Single());
        form["Input.Quality"] = "70";
        form["Move.Action"] = nameof(WorkflowAction.Reject);
        form["Move.Reasons[Reject]"] = "duplicate";

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(form));
        var page = Html.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Redirect, rivalSave.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"{saved.EditedBy} saved this item at {saved.EditedAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, after you opened it.",
            page.One("#conflict-message").Text());
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task Publish_from_a_page_older_than_an_accepted_revision_is_a_conflict_and_publishes_nothing()
    {
        var editor = await fixture.As(Roles.Editor);
        var publisher = await fixture.As(Roles.Publisher);
        var story = new TestItem { Quality = 55, RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(editor, id, WorkflowAction.MarkReady)).StatusCode);
        // The publisher opens the Ready item: this is what he reviews.
        var seen = await publisher.GetStringAsync($"/Items/Details/{id}");
        // Meanwhile the source changes, an editor accepts the new title and marks the item ready again.
        await ImportAsync(story with { Title = story.Title + " (rewritten)" });
        var revisionPage = await editor.GetStringAsync($"/Items/Details/{id}");
        var accepted = await editor.PostAsync($"/Items/Details/{id}?handler=AcceptRevision", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(revisionPage),
            ["Decide.RevisionId"] = Html.Field(revisionPage, "Decide.RevisionId"),
            ["Decide.Version"] = Html.Field(revisionPage, "Decide.Version"),
            ["Decide.All"] = "true",
        }));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(editor, id, WorkflowAction.MarkReady)).StatusCode);

        // The publisher's form holds nothing new: only the move, from the page he saw.
        var response = await publisher.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(seen),
            ["Input.Version"] = Html.Field(seen, "Input.Version"),
            ["Input.Quality"] = "55",
            ["Input.Topics"] = "",
            ["Move.Action"] = nameof(WorkflowAction.Publish),
        }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("after you opened it", Html.Parse(await response.Content.ReadAsStringAsync()).One("#conflict-message").Text());
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((WorkflowState.Ready, story.Title + " (rewritten)"), (item.State, item.Title));
        Assert.False(Factory.WithDb(db => db.PublishedItems.Any(p => p.ItemId == id)));
    }

    // A move with nothing to save, from the page as it is now.
    private static async Task<HttpResponseMessage> MoveAsync(HttpClient client, long id, WorkflowAction action)
    {
        var html = await client.GetStringAsync($"/Items/Details/{id}");
        return await client.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = Html.Field(html, "Input.Version"),
            ["Input.Quality"] = Html.Field(html, "Input.Quality"),
            ["Input.Topics"] = "",
            ["Move.Action"] = action.ToString(),
        }));
    }
}
