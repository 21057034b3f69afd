using System.Net;
using Cms.Application.Links;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Cms.Web.Tests.Stories;
using Cms.Web.Tests.Workflow;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Links;

// Each related link's card shows what the link checker found (matched by the normalized URL):
// ok, moved with the URL it moved to (and "Use the new URL"), broken, blocked; nothing when it was
// never checked. The queue filters items with broken links, the publisher lists published items
// whose approved link broke. The checker's own cases are LinkCheckerTests: here its verdicts are
// written as it writes them, after its discovery has learned which link is which check.
public sealed partial class LinkHealthCardTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static LinkCheck Check(string url, LinkHealth status, string? finalUrl = null, int? http = null) => new()
    {
        Url = LinkRules.Key(url)!,
        Status = status.ToString(),
        HttpStatus = http,
        FinalUrl = finalUrl,
        CheckedAt = DateTimeOffset.UtcNow,
        NextAt = DateTimeOffset.UtcNow.AddDays(7),
        PendingUrl = url,
        PendingHost = new Uri(url).Host,
        PendingMethod = "HEAD",
    };

    [Fact]
    public async Task The_card_shows_ok_moved_with_its_new_url_broken_and_blocked_and_nothing_for_an_unchecked_link()
    {
        var tag = Unique.Tag();
        string Url(string name) => $"https://outlet.example/{tag}/{name}";
        var item = new TestItem { Related = [("Fine", Url("ok")), ("Moved", Url("moved")), ("Gone", Url("gone")), ("Walled", Url("walled")), ("New", Url("new"))] };
        await ImportAsync(item);
        Factory.WithDb(db =>
        {
            // The checker keys by the normalized URL: a differently written URL of the same page matches.
            db.LinkChecks.AddRange(
                Check(Url("ok").Replace("https://outlet.example", "https://OUTLET.example"), LinkHealth.Ok, http: 200),
                Check(Url("moved"), LinkHealth.Moved, finalUrl: "https://outlet.example/new-home", http: 301),
                Check(Url("gone"), LinkHealth.Broken, http: 404),
                Check(Url("walled"), LinkHealth.Blocked, http: 403));
            return db.SaveChanges();
        });
        var editor = await SignedInAsync(Roles.Editor);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{ItemId(item)}"));

        var cards = page.QuerySelectorAll(".related-link").ToDictionary(c => c.QuerySelector("a")!.Text(), c => c);
        Assert.Equal("ok", cards["Fine"].One(".link-health .badge").Text());
        Assert.Equal("moved", cards["Moved"].One(".link-health .badge").Text());
        Assert.Equal("https://outlet.example/new-home", cards["Moved"].One(".link-health a.link-final").GetAttribute("href"));
        Assert.Equal("broken", cards["Gone"].One(".link-health .badge").Text());
        Assert.Equal("blocked", cards["Walled"].One(".link-health .badge").Text());
        Assert.Null(cards["New"].QuerySelector(".link-health"));
    }

    // The checker's discovery (link_uses, unchecked link_checks), then its verdict on each URL.
    private async Task CheckedAsync(params (string Url, LinkHealth Status, string? FinalUrl)[] verdicts)
    {
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var checker = scope.ServiceProvider.GetRequiredService<LinkChecker>();
            while (await checker.DiscoverAsync(CancellationToken.None) > 0)
            {
            }
        }
        foreach (var (url, status, final) in verdicts)
        {
            var key = LinkRules.Key(url)!;
            Assert.Equal(1, Factory.WithDb(db => db.LinkChecks.Where(c => c.Url == key).ExecuteUpdate(u => u
                .SetProperty(c => c.Status, status.ToString()).SetProperty(c => c.FinalUrl, final).SetProperty(c => c.CheckedAt, DateTimeOffset.UtcNow))));
        }
    }

    private void Decide(long itemId, string url, LinkDecision decision) =>
        Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == itemId && l.Url == url).ExecuteUpdate(u => u.SetProperty(l => l.Decision, decision)));

    private static List<long> Rows(string html) =>
        Html.Parse(html).QuerySelectorAll("#queue tbody tr").Select(r => long.Parse(r.GetAttribute("data-item-id")!)).ToList();

    [Fact]
    public async Task The_queue_filters_items_with_a_broken_link_that_is_not_rejected()
    {
        var tag = Unique.Tag();
        string Url(string name) => $"https://filter.example/{tag}/{name}";
        var broken = new TestItem { Title = $"Broken {tag}", Related = [("Gone", Url("gone")), ("Fine", Url("fine"))] };
        var fine = new TestItem { Title = $"Fine {tag}", Related = [("Fine", Url("fine"))] };
        var rejected = new TestItem { Title = $"Rejected {tag}", Related = [("Gone too", Url("gone-too"))] };
        await ImportAsync(broken, fine, rejected);
        Decide(ItemId(rejected), Url("gone-too"), LinkDecision.Rejected);
        await CheckedAsync((Url("gone"), LinkHealth.Broken, null), (Url("fine"), LinkHealth.Ok, null), (Url("gone-too"), LinkHealth.Broken, null));
        var editor = await SignedInAsync(Roles.Editor);

        var all = await editor.GetStringAsync($"/?View.Q={tag}");
        var filtered = await editor.GetStringAsync($"/?View.Q={tag}&View.BrokenLinks=true");

        Assert.Equal(3, Rows(all).Count);
        Assert.Equal([ItemId(broken)], Rows(filtered));
        Assert.True(Html.Parse(filtered).One("#broken-links").HasAttribute("checked"));
    }

    [Fact]
    public async Task The_publisher_lists_published_items_whose_approved_link_broke_and_an_editor_may_not()
    {
        var tag = Unique.Tag();
        string Url(string name) => $"https://published.example/{tag}/{name}";
        var published = new TestItem { Title = $"Published {tag}", Published = true, Related = [("Gone", Url("gone")), ("Fine", Url("fine")), ("Refused", Url("refused"))] };
        var queued = new TestItem { Title = $"Queued {tag}", Related = [("Gone", Url("gone"))] };
        await ImportAsync(published, queued);
        Decide(ItemId(published), Url("gone"), LinkDecision.Approved);
        Decide(ItemId(published), Url("fine"), LinkDecision.Approved);
        Decide(ItemId(queued), Url("gone"), LinkDecision.Approved);
        await CheckedAsync((Url("gone"), LinkHealth.Broken, null), (Url("fine"), LinkHealth.Ok, null), (Url("refused"), LinkHealth.Broken, null));
        var publisher = await SignedInAsync(Roles.Publisher);

        var page = Html.Parse(await publisher.GetStringAsync("/Links/Broken"));

        var rows = page.QuerySelectorAll("#broken-links tbody tr").Where(r => r.TextContent.Contains(tag)).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(ItemId(published).ToString(), row.GetAttribute("data-item-id"));
        Assert.Equal(Url("gone"), row.One(".link-url").Text());
        var refused = await (await SignedInAsync(Roles.Editor)).GetAsync("/Links/Broken");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/AccessDenied", refused.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Using_a_moved_links_new_url_makes_a_new_pending_link_sends_the_item_back_to_new_and_is_audited_and_published_once_approved()
    {
        var tag = Unique.Tag();
        var (old, moved) = ($"https://moving.example/{tag}/old", $"https://moving.example/{tag}/new-home");
        var item = new TestItem { Related = [("Moving", old), ("Staying", $"https://staying.example/{tag}")] };
        await ImportAsync(item);
        var id = ItemId(item);
        Decide(id, old, LinkDecision.Approved);
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u
            .SetProperty(i => i.State, WorkflowState.Ready).SetProperty(i => i.ReadyBy, "someone").SetProperty(i => i.ReadyByName, "someone")));
        await CheckedAsync((old, LinkHealth.Moved, moved));
        var editor = await SignedInAsync(Roles.Editor);
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var button = Html.Parse(html).One(".related-link .replace-url");
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Replace.Version"] = Html.Parse(html).One("#replace-link-form input[name='Replace.Version']").GetAttribute("value")!,
            [button.GetAttribute("name")!] = button.GetAttribute("value")!,
        };

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=ReplaceLink", new FormUrlEncodedContent(form));
        // The same form again: the link is gone, and the version moved on.
        var again = await editor.PostAsync($"/Items/Details/{id}?handler=ReplaceLink", new FormUrlEncodedContent(form));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.Equal([(moved, LinkDecision.Pending, old, 0), ($"https://staying.example/{tag}", LinkDecision.Pending, null, 1)],
            links.Select(l => (l.Url, l.Decision, l.ReplacesUrl, l.Position)));
        Assert.Equal(LinkIdentity.Of(moved), links[0].Identity);
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
        var audit = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action == AuditActions.LinkUrlReplaced).Select(a => a.Payload).ToList());
        Assert.Contains($"\"before\":\"{old}\"", Assert.Single(audit));
        Assert.Contains($"\"after\":\"{moved}\"", audit[0]);

        // Approved and published: the new address is in the file, the old one is not.
        Assert.Equal(HttpStatusCode.Redirect, (await StoryForms.ReviewAsync(Factory, editor, id, WorkflowAction.MarkReady,
            (moved, LinkDecision.Approved), ($"https://staying.example/{tag}", LinkDecision.Rejected))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(await SignedInAsync(Roles.Publisher), id, WorkflowAction.Publish)).StatusCode);
        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!));
        await Eventually.HappensAsync(() => File.Exists(file), "the worker writing the published file");
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains(moved, text);
        Assert.DoesNotContain(old, text);
    }

    [Fact]
    public async Task A_link_the_checker_did_not_find_moved_is_not_replaced()
    {
        var tag = Unique.Tag();
        var url = $"https://steady.example/{tag}";
        var item = new TestItem { Related = [("Steady", url)] };
        await ImportAsync(item);
        var id = ItemId(item);
        await CheckedAsync((url, LinkHealth.Ok, null));
        var editor = await SignedInAsync(Roles.Editor);
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        Assert.Empty(Html.Parse(html).QuerySelectorAll(".replace-url"));
        var link = Factory.WithDb(db => db.RelatedLinks.Single(l => l.ItemId == id).Id);

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=ReplaceLink", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Replace.Version"] = Html.Parse(html).One("#replace-link-form input[name='Replace.Version']").GetAttribute("value")!,
            ["Replace.LinkId"] = link.ToString(),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(ReplaceLinkUrl.NotMoved, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Equal([url], Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).Select(l => l.Url!).ToList()));
    }
}
