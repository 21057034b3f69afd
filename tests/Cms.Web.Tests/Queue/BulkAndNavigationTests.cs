using System.Net;
using System.Text.RegularExpressions;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

public sealed partial class BulkAndNavigationTests : WebTest
{
    private static string Item(string title, string date, string category, int related = 2) =>
        $"---\ntitle: \"{title}\"\noriginalUrl: \"https://e.com/{title.Replace(' ', '-')}\"\ncategory: {category}\npublishedDateTime: {date}\ntopics: [\"Base\"]\nrelated:\n"
        + string.Concat(Enumerable.Range(0, related).Select(r => $"  - title: \"r{r}\"\n    webUrl: \"https://r.example/{title.Replace(' ', '-')}/{r}\"\n"))
        + (related == 0 ? "  []\n" : "") + "---\n";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ImportTextsAsync(
            Item("Alpha", "2024-01-04T00:00:00Z", "news"),
            Item("Bravo", "2024-01-03T00:00:00Z", "sport"),
            Item("Charlie", "2024-01-02T00:00:00Z", "news"),
            Item("Delta", "2024-01-01T00:00:00Z", "news"));
    }

    private async Task<HttpResponseMessage> BulkAsync(HttpClient client, string action, string? topic, params string[] titles)
    {
        var page = await client.GetStringAsync("/?View.Category=news");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Http.AntiforgeryToken(page)),
            new("Bulk.Action", action),
            new("Bulk.Topic", topic ?? ""),
        };
        form.AddRange(titles.Select(t => new KeyValuePair<string, string>("Bulk.Ids", ItemId(t).ToString())));
        return await client.PostAsync("/?View.Category=news&handler=Bulk", new FormUrlEncodedContent(form));
    }

    [Fact]
    public async Task Bulk_add_and_remove_topic_change_only_the_selected_items_and_audit_each()
    {
        var publisher = await SignedInAsync(Roles.Publisher);

        var added = await BulkAsync(publisher, "add-topic", "Breaking", "Alpha", "Charlie");
        var removed = await BulkAsync(publisher, "remove-topic", "Base", "Charlie");

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal("/?View.Category=news", added.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        List<string> TopicsOf(string title) => Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == ItemId(title)).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        Assert.Equal(["Base", "Breaking"], TopicsOf("Alpha"));
        Assert.Equal(["Breaking"], TopicsOf("Charlie"));
        Assert.Equal(["Base"], TopicsOf("Delta"));
        Assert.Equal(3, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.bulk-edited")));
    }

    [Fact]
    public async Task An_editor_cannot_create_a_topic_through_a_bulk_action()
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await BulkAsync(editor, "add-topic", "Invented", "Alpha");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Unknown topic: Invented", await response.Content.ReadAsStringAsync());
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name == "Invented")));
    }

    [Fact]
    public async Task Bulk_link_decisions_and_workflow_moves_apply_only_where_the_workflow_allows()
    {
        var editor = await SignedInAsync(Roles.Editor);

        await BulkAsync(editor, "approve-links", null, "Alpha", "Charlie");
        await BulkAsync(editor, nameof(ReviewAction.MarkReady), null, "Alpha");
        var restore = await BulkAsync(editor, nameof(ReviewAction.Restore), null, "Alpha", "Charlie");

        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == ItemId("Alpha") || l.ItemId == ItemId("Charlie")).ToList()),
            l => Assert.Equal(LinkDecision.Approved, l.Decision));
        Assert.All(Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == ItemId("Delta")).ToList()),
            l => Assert.Equal(LinkDecision.Pending, l.Decision));
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Title == "Alpha").State));
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Title == "Charlie").State));
        // Restore only applies to rejected items: neither selection was rejected.
        Assert.Contains("Restore: 0 of 2 selected items changed.", await editor.GetStringAsync(restore.Headers.Location!.OriginalString));
    }

    [GeneratedRegex("""id="next-item" rel="next" href|href="([^"]+)" id="next-item""")]
    private static partial Regex NextLink();

    [Fact]
    public async Task Next_previous_and_save_and_next_move_within_the_current_view()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var view = "?View.Category=news";

        var alpha = await editor.GetStringAsync($"/Items/Details/{ItemId("Alpha")}{view}");
        var charlie = await editor.GetStringAsync($"/Items/Details/{ItemId("Charlie")}{view}");

        // Bravo is sport, so within this view Alpha's next is Charlie.
        Assert.Contains($"href=\"/Items/Details/{ItemId("Charlie")}?View.Category=news\" id=\"next-item\"", alpha);
        Assert.DoesNotContain("id=\"previous-item\"", alpha);
        Assert.Contains($"href=\"/Items/Details/{ItemId("Alpha")}?View.Category=news\" id=\"previous-item\"", charlie);

        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(charlie),
            ["Input.Version"] = Regex.Match(charlie, """name="Input.Version" value="(\d+)""").Groups[1].Value,
            ["Input.Quality"] = "64",
            ["Input.Category"] = "news",
            ["Input.Topics"] = "Base",
        };
        var saved = await editor.PostAsync($"/Items/Details/{ItemId("Charlie")}?View.Category=news&handler=SaveNext", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal($"/Items/Details/{ItemId("Delta")}?View.Category=news", saved.Headers.Location!.OriginalString);
        Assert.Equal(64, Factory.WithDb(db => db.Items.Single(i => i.Title == "Charlie").Quality));
    }
}

public sealed class StateCountTests : WebTest
{
    [Fact]
    public async Task Trigger_kept_state_counts_follow_imports_moves_and_deletes()
    {
        await ImportTextsAsync(
            "---\ntitle: a\noriginalUrl: \"https://e.com/a\"\n---\n",
            "---\ntitle: b\noriginalUrl: \"https://e.com/b\"\n---\n",
            "---\ntitle: c\noriginalUrl: \"https://e.com/c\"\npublished: true\n---\n");
        await using var db = TestPostgres.Context(ConnectionString);
        Dictionary<string, long> Counts() => db.ItemStateCounts.AsNoTracking().Where(c => c.Count != 0).ToDictionary(c => c.State, c => c.Count);
        Dictionary<string, long> Actual() => db.Items.GroupBy(i => i.State).ToDictionary(g => g.Key.ToString(), g => (long)g.Count());

        Assert.Equal(new Dictionary<string, long> { ["New"] = 2, ["Published"] = 1 }, Counts());
        await db.Items.Where(i => i.Title == "a").ExecuteUpdateAsync(s => s.SetProperty(i => i.State, WorkflowState.Ready));
        await db.Items.Where(i => i.Title == "b").ExecuteUpdateAsync(s => s.SetProperty(i => i.Quality, 5));
        Assert.Equal(new Dictionary<string, long> { ["New"] = 1, ["Ready"] = 1, ["Published"] = 1 }, Counts());
        await db.Items.Where(i => i.Title == "c").ExecuteDeleteAsync();
        Assert.Equal(Actual(), Counts());
    }
}
