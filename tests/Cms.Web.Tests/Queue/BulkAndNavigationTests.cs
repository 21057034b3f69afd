using System.Net;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

// Each test imports its own four items in its own categories and topic, so the "news" view holds
// exactly Alpha, Charlie and Delta whatever the other tests in the class left behind.
public sealed class BulkAndNavigationTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private string News => "news-" + _tag;

    private string Sport => "sport-" + _tag;

    private string Base => "Base " + _tag;

    private string Alpha => "Alpha " + _tag;

    private string Bravo => "Bravo " + _tag;

    private string Charlie => "Charlie " + _tag;

    private string Delta => "Delta " + _tag;

    private string View => "?View.Category=" + News;

    private TestItem Item(string title, DateTimeOffset date, string category) =>
        new() { Title = title, Category = category, PublishedDateTime = date, Topics = [Base], RelatedCount = 2 };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ImportAsync(
            Item(Alpha, TestItem.Utc(2024, 1, 4), News),
            Item(Bravo, TestItem.Utc(2024, 1, 3), Sport),
            Item(Charlie, TestItem.Utc(2024, 1, 2), News),
            Item(Delta, TestItem.Utc(2024, 1, 1), News));
    }

    private async Task<HttpResponseMessage> BulkAsync(HttpClient client, string action, string? topic, params string[] titles)
    {
        var page = await client.GetStringAsync("/" + View);
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Http.AntiforgeryToken(page)),
            new("Bulk.Action", action),
            new("Bulk.Topic", topic ?? ""),
        };
        form.AddRange(titles.Select(t => new KeyValuePair<string, string>("Bulk.Ids", ItemId(t).ToString())));
        return await client.PostAsync($"/{View}&handler=Bulk", new FormUrlEncodedContent(form));
    }

    private static List<string> Ticked(string html) =>
        [.. Html.Parse(html).QuerySelectorAll("input[name='Bulk.Ids'][checked]").Select(i => i.GetAttribute("value")!)];

    private static string? Chosen(string html) =>
        Html.Parse(html).QuerySelector("#bulk-action option[selected]")?.GetAttribute("value");

    [Fact]
    public async Task The_selection_and_the_menu_survive_a_refused_and_a_completed_bulk_action()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var ids = new[] { ItemId(Alpha), ItemId(Charlie) }.Select(i => i.ToString()).Order().ToList();

        // Send back needs a reason: refused, the page comes back as it was sent.
        var refused = await BulkAsync(editor, nameof(WorkflowAction.SendBack), null, Alpha, Charlie);
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        var done = await BulkAsync(editor, "approve-links", null, Alpha, Charlie);
        var doneHtml = await editor.GetStringAsync(done.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.NotNull(Html.Parse(refusedHtml).QuerySelector("#bulk-errors"));
        Assert.Equal(ids, Ticked(refusedHtml).Order());
        Assert.Equal(nameof(WorkflowAction.SendBack), Chosen(refusedHtml));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(ids, Ticked(doneHtml).Order());
        Assert.Equal("approve-links", Chosen(doneHtml));
    }

    [Fact]
    public async Task Select_all_matching_applies_to_every_item_of_the_view_beyond_the_ticked_rows_and_audits_each()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var page = await publisher.GetStringAsync("/" + View);
        Assert.Contains("Select all 3 matching this view", Html.Parse(page).One("label[for='bulk-all-matching']").TextContent);

        var response = await publisher.PostAsync($"/{View}&handler=Bulk", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Http.AntiforgeryToken(page)),
            new("Bulk.Action", "approve-links"),
            new("Bulk.AllMatching", "true"),
        ]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var news = new[] { ItemId(Alpha), ItemId(Charlie), ItemId(Delta) };
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => news.Contains(l.ItemId)).ToList()), l => Assert.Equal(LinkDecision.Approved, l.Decision));
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == ItemId(Bravo)).ToList()), l => Assert.Equal(LinkDecision.Pending, l.Decision));
        Assert.Equal(3, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == Cms.Core.Auditing.AuditActions.ItemBulkEdited && a.EntityId != null && news.Select(n => n.ToString()).Contains(a.EntityId))));
    }

    [Fact]
    public async Task Bulk_add_and_remove_topic_change_only_the_selected_items_and_audit_each()
    {
        var publisher = await SignedInAsync(Roles.Publisher);

        var breaking = "Breaking " + _tag;

        var added = await BulkAsync(publisher, "add-topic", breaking, Alpha, Charlie);
        var removed = await BulkAsync(publisher, "remove-topic", Base, Charlie);

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal("/" + View, added.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        List<string> TopicsOf(string title) => Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == ItemId(title)).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        Assert.Equal([Base, breaking], TopicsOf(Alpha));
        Assert.Equal([breaking], TopicsOf(Charlie));
        Assert.Equal([Base], TopicsOf(Delta));
        // This test's four items, selected or not: an event on Bravo or Delta would be a change too many.
        var ours = new[] { Alpha, Bravo, Charlie, Delta }.Select(t => ItemId(t).ToString()).ToList();
        Assert.Equal(3, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.bulk-edited" && ours.Contains(a.EntityId!))));
    }

    [Fact]
    public async Task An_editor_cannot_create_a_topic_through_a_bulk_action()
    {
        var editor = await SignedInAsync(Roles.Editor);

        var invented = "Invented " + _tag;

        var response = await BulkAsync(editor, "add-topic", invented, Alpha);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Unknown topic: " + invented, await response.Content.ReadAsStringAsync());
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name == invented)));
    }

    [Fact]
    public async Task Bulk_link_decisions_and_workflow_moves_apply_only_where_the_workflow_allows()
    {
        var editor = await SignedInAsync(Roles.Editor);

        await BulkAsync(editor, "approve-links", null, Alpha, Charlie);
        var ready = await BulkAsync(editor, nameof(WorkflowAction.MarkReady), null, Alpha, Delta);

        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == ItemId(Alpha) || l.ItemId == ItemId(Charlie)).ToList()),
            l => Assert.Equal(LinkDecision.Approved, l.Decision));
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == ItemId(Delta)).ToList()),
            l => Assert.Equal(LinkDecision.Pending, l.Decision));
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Title == Alpha).State));
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Title == Charlie).State));
        // Delta's related links are still pending, so it cannot be marked ready.
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Title == Delta).State));
        Assert.Contains("Mark ready: 1 marked ready, 1 refused: related links undecided.", await editor.GetStringAsync(ready.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task Next_previous_and_save_and_next_move_within_the_current_view()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var alpha = await editor.GetStringAsync($"/Items/Details/{ItemId(Alpha)}{View}");
        var charlie = await editor.GetStringAsync($"/Items/Details/{ItemId(Charlie)}{View}");

        // Bravo is sport, so within this view Alpha's next is Charlie.
        Assert.Equal($"/Items/Details/{ItemId(Charlie)}{View}", Html.Href(alpha, "next-item"));
        Assert.Null(Html.Href(alpha, "previous-item"));
        Assert.Equal($"/Items/Details/{ItemId(Alpha)}{View}", Html.Href(charlie, "previous-item"));

        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(charlie),
            ["Input.Version"] = Html.Field(charlie, "Input.Version"),
            ["Input.Quality"] = "64",
            ["Input.Category"] = News,
            ["Input.Topics"] = Base,
        };
        var saved = await editor.PostAsync($"/Items/Details/{ItemId(Charlie)}{View}&handler=SaveNext", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal($"/Items/Details/{ItemId(Delta)}{View}", saved.Headers.Location!.OriginalString);
        Assert.Equal(64, Factory.WithDb(db => db.Items.Single(i => i.Title == Charlie).Quality));
    }
}

// Asserts the trigger-kept totals of the whole database, so it has a database of its own.
public sealed class StateCountTests : WebTest
{
    [Fact]
    public async Task Trigger_kept_state_counts_follow_imports_moves_and_deletes()
    {
        await ImportAsync(new TestItem { Title = "a" }, new TestItem { Title = "b" }, new TestItem { Title = "c", Published = true });
        await using var db = TestPostgres.Context(ConnectionString);
        // The folded counts plus the deltas the triggers appended since (StateCountFolding).
        Dictionary<string, long> Counts() => db.ItemStateCounts.Select(c => new { c.State, c.Count }).Concat(db.ItemStateCountDeltas.Select(d => new { d.State, Count = d.Delta }))
            .GroupBy(c => c.State).Select(g => new { g.Key, Sum = g.Sum(c => c.Count) }).ToList().Where(c => c.Sum != 0).ToDictionary(c => c.Key, c => c.Sum);
        Dictionary<string, long> Actual() => db.Items.GroupBy(i => i.State).ToDictionary(g => g.Key.ToString(), g => (long)g.Count());

        Assert.Equal(new Dictionary<string, long> { ["New"] = 2, ["Published"] = 1 }, Counts());
        await db.Items.Where(i => i.Title == "a").ExecuteUpdateAsync(s => s.SetProperty(i => i.State, WorkflowState.Ready));
        await db.Items.Where(i => i.Title == "b").ExecuteUpdateAsync(s => s.SetProperty(i => i.Quality, 5));
        Assert.Equal(new Dictionary<string, long> { ["New"] = 1, ["Ready"] = 1, ["Published"] = 1 }, Counts());
        await db.Items.Where(i => i.Title == "c").ExecuteDeleteAsync();
        Assert.Equal(Actual(), Counts());
    }
}
