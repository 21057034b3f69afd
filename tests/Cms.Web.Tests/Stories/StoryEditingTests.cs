using System.Net;
using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Talk;
using Cms.Web.Tests.Infrastructure;
using Cms.Web.Tests.Workflow;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Stories;

// Grouping at import off: each test sets the stories it needs, and items of one test (whose titles
// look alike) never join another test's story, whatever order the tests run in.
// The app's clock stands still (whole seconds, as PostgreSQL stores them): a change stamped with it
// shows that the handler took its time from the app's TimeProvider, not from the wall clock.
public sealed class StoryEditingFixture : WorkflowFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Stories:Grouping"] = "false" };

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

// Merge, split and move over HTTP as an editor does them on the story page, Reopen of a merged
// item as a Publisher does it on the item page, and the audit trail of each.
public sealed class StoryEditingTests(StoryEditingFixture fixture) : WebTest(fixture), IClassFixture<StoryEditingFixture>
{
    // Three tellings of one story by three outlets; the grouping is set here, not left to the importer.
    private async Task<(long Lead, long B, long C, TestItem[] Items)> StoryAsync(int links = 0, string? tag = null)
    {
        tag ??= Unique.Tag();
        TestItem Telling(string outlet, int hour) => new()
        {
            Title = $"Rate rise {tag} told by {outlet}",
            Excerpt = $"The central bank raised rates ({outlet}).",
            ProviderName = outlet,
            ProviderDomain = outlet + ".example",
            PublishedDateTime = TestItem.Utc(2026, 3, 7, hour),
            Quality = 40 + hour,
            RelatedCount = links,
        };
        var items = new[] { Telling("alpha", 9), Telling("beta", 10), Telling("gamma", 11) };
        await ImportAsync(items);
        var ids = items.Select(ItemId).ToArray();
        var story = Factory.WithDb(db => db.Items.Single(i => i.Id == ids[0]).StoryId);
        Factory.WithDb(db => db.Items.Where(i => ids.Contains(i.Id)).ExecuteUpdate(u => u.SetProperty(i => i.StoryId, story)));
        return (ids[0], ids[1], ids[2], items);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, long pageItem, string handler, IEnumerable<KeyValuePair<string, string>> fields) =>
        StoryForms.PostAsync(client, pageItem, handler, fields);

    private static Task<HttpResponseMessage> MergeAsync(HttpClient client, long lead, params long[] items) => StoryForms.MergeAsync(client, lead, items);

    private List<string> Actions(long id) => Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString())
        .OrderBy(a => a.Id).Select(a => a.Action).ToList());

    // The audit trail as a Publisher exports it for one item.
    private static async Task<List<Dictionary<string, string>>> TrailAsync(HttpClient publisher, long id) =>
        AuditPageTests.Csv(await publisher.GetStringAsync($"/Audit?handler=Csv&Filter.Item={id}"));

    [Fact]
    public async Task Merging_rejects_each_item_as_merged_into_the_lead_and_adds_it_as_a_pending_link_of_the_lead()
    {
        var (lead, b, c, items) = await StoryAsync(links: 1);
        var editor = await fixture.As(Roles.Editor);
        var count = Factory.WithDb(db => db.Items.Count());

        var response = await MergeAsync(editor, lead, b, c);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var rows = Factory.WithDb(db => db.Items.AsNoTracking().Where(i => i.Id == b || i.Id == c).OrderBy(i => i.Id).ToList());
        Assert.All(rows, r => Assert.Equal(WorkflowState.Rejected, r.State));
        Assert.All(rows, r => Assert.Equal(lead, r.MergedIntoId));
        // Merging never deletes data: every item and its own links are still there.
        Assert.Equal(count, Factory.WithDb(db => db.Items.Count()));
        Assert.Equal(1, Factory.WithDb(db => db.RelatedLinks.Count(l => l.ItemId == b)));

        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == lead).OrderBy(l => l.Position).ToList());
        // After the lead's own link, in the order of the merged items' ids.
        Assert.Equal([items[0].OriginalUrl + "/related/0", .. new[] { (b, items[1].OriginalUrl), (c, items[2].OriginalUrl) }.OrderBy(m => m.Item1).Select(m => m.Item2)],
            links.Select(l => l.Url));
        Assert.Equal([0, 1, 2], links.Select(l => l.Position));
        var added = links.Single(l => l.MergedFromItemId == b);
        Assert.Equal((LinkDecision.Pending, items[1].Title, "beta", "beta.example", items[1].Excerpt, 50, b),
            (added.Decision, added.Title, added.ProviderName, added.ProviderDomain, added.Excerpt, added.Quality, added.MergedFromItemId));
        Assert.Equal(items[1].PublishedDateTime, added.PublishedAt);

        Assert.Contains(AuditActions.ItemMerged, Actions(b));
        Assert.Contains(AuditActions.ItemMergeReceived, Actions(lead));
        var merged = Html.Parse(await editor.GetStringAsync($"/Items/Details/{b}"));
        Assert.Equal($"Merged into #{lead}; a Publisher's Reopen undoes the merge.", merged.One("#merged-into").Text());
        var history = merged.One("#history");
        Assert.Contains(history.QuerySelectorAll("strong.history-label"), l => l.TextContent == "Merged into the lead");
        Assert.Contains(["state", "New", "Rejected"], history.QuerySelectorAll("tr[data-field]").Select(r => r.Cells()));
        Assert.Contains($"Reason: {MergeItems.ReasonFor(lead)}", history.Text());
        // The lead's page lists the added links to decide, and its story's other items.
        var leadPage = Html.Parse(await editor.GetStringAsync($"/Items/Details/{lead}"));
        Assert.Equal(new[] { b, c }.Order(), leadPage.QuerySelectorAll("#story-others li").Select(l => long.Parse(l.GetAttribute("data-item")!)).Order());
        Assert.Contains(items[2].Title, leadPage.Body!.TextContent);
    }

    [Fact]
    public async Task A_merged_url_the_lead_already_links_to_adds_no_second_link_and_an_item_without_an_http_url_is_refused_with_the_reason()
    {
        var (lead, b, c, items) = await StoryAsync();
        // The lead already links to b's article, written differently (host case, default port): one identity.
        var same = items[1].OriginalUrl.Replace("https://news.example/", "https://NEWS.example:443/");
        Factory.WithDb(db =>
        {
            db.RelatedLinks.Add(new Cms.Data.Entities.RelatedLink
            {
                ItemId = lead, Position = 0, Url = same, Identity = LinkIdentity.Of(same), IsSafeUrl = true, Title = "b, linked by the lead", Decision = LinkDecision.Approved,
            });
            return db.SaveChanges();
        });
        Factory.WithDb(db => db.Items.Where(i => i.Id == c).ExecuteUpdate(u => u.SetProperty(i => i.OriginalUrl, "ftp://files.example/c").SetProperty(i => i.WebUrl, (string?)null)));
        var editor = await fixture.As(Roles.Editor);

        var refused = await MergeAsync(editor, lead, b, c);
        var merged = await MergeAsync(editor, lead, b);

        Assert.Contains($"#{c} cannot be merged as a related link: its URL is not an absolute http(s) URL.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, merged.StatusCode);
        Assert.Equal(WorkflowState.Rejected, Factory.WithDb(db => db.Items.Single(i => i.Id == b).State));
        Assert.Equal([(same, LinkDecision.Approved)], Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == lead).Select(l => new { l.Url, l.Decision }).ToList()).Select(l => (l.Url!, l.Decision)));
        var landed = Html.Parse(await editor.GetStringAsync(merged.Headers.Location!.ToString()));
        Assert.Contains($"#{b}: the URL is already a link of #{lead}, so no second link was added.", landed.One("#status-message").Text());
    }

    [Fact]
    public async Task Merging_into_a_ready_lead_sends_it_back_to_new_because_what_was_reviewed_changed()
    {
        var (lead, b, _, _) = await StoryAsync();
        Factory.WithDb(db => db.Items.Where(i => i.Id == lead).ExecuteUpdate(u => u
            .SetProperty(i => i.State, WorkflowState.Ready).SetProperty(i => i.ReadyBy, "someone").SetProperty(i => i.ReadyByName, "someone")));

        await MergeAsync(await fixture.As(Roles.Editor), lead, b);

        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == lead).State));
    }

    [Fact]
    public async Task Reopen_by_a_publisher_undoes_the_merge_removing_the_undecided_link_and_keeping_a_decided_one()
    {
        var (lead, b, c, items) = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        var publisher = await fixture.As(Roles.Publisher);
        await MergeAsync(editor, lead, b, c);
        // Someone approved c's link on the lead before c was reopened.
        Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == lead && l.MergedFromItemId == c)
            .ExecuteUpdate(u => u.SetProperty(l => l.Decision, LinkDecision.Approved)));

        // An editor may not reopen: refused, nothing changes.
        var refused = await Moves.PostAsync(editor, b, WorkflowAction.Reopen);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(2, Factory.WithDb(db => db.RelatedLinks.Count(l => l.ItemId == lead)));

        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, b, WorkflowAction.Reopen)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, c, WorkflowAction.Reopen)).StatusCode);

        var rows = Factory.WithDb(db => db.Items.AsNoTracking().Where(i => i.Id == b || i.Id == c).ToList());
        Assert.All(rows, r => Assert.Equal((WorkflowState.New, (long?)null), (r.State, r.MergedIntoId)));
        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == lead).ToList());
        Assert.Equal([(items[2].OriginalUrl, LinkDecision.Approved)], links.Select(l => (l.Url, l.Decision)));

        var trail = await TrailAsync(publisher, lead);
        var undone = trail.Where(r => r["action"] == AuditActions.ItemMergeUndone).Select(r => r["payload"]).ToList();
        Assert.Equal(2, undone.Count);
        Assert.Contains(undone, p => p.Contains($"\"from\":{b}") && p.Contains($"\"removed\":[\"{items[1].OriginalUrl}\"]"));
        Assert.Contains(undone, p => p.Contains($"\"from\":{c}") && p.Contains("\"removed\":[]") && p.Contains(items[2].OriginalUrl));
        var reopened = await TrailAsync(publisher, b);
        Assert.Equal([AuditActions.ItemImported, AuditActions.ItemMerged, AuditActions.AuthorizationRefused, AuditActions.ItemStateChanged],
            reopened.Select(r => r["action"]).Reverse());
        Assert.Contains($"\"unmergedFrom\":{lead}", reopened[0]["payload"]);
    }

    [Fact]
    public async Task A_merge_with_an_item_of_another_story_or_one_already_published_is_refused_whole_and_changes_nothing()
    {
        var (lead, b, c, _) = await StoryAsync();
        var (other, _, _, _) = await StoryAsync();
        Factory.WithDb(db => db.Items.Where(i => i.Id == c).ExecuteUpdate(u => u.SetProperty(i => i.State, WorkflowState.Published)));
        var editor = await fixture.As(Roles.Editor);

        var response = await MergeAsync(editor, lead, b, c, other);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var errors = Html.Parse(await response.Content.ReadAsStringAsync()).One("#story-errors").Text();
        Assert.Contains($"#{c} is Published; only New or Ready items can be merged.", errors);
        Assert.Contains($"#{other} is not in the lead's story; move it into the story first.", errors);
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == b).State));
        Assert.Equal(0, Factory.WithDb(db => db.RelatedLinks.Count(l => l.ItemId == lead)));
        Assert.DoesNotContain(AuditActions.ItemMergeReceived, Actions(lead));
    }

    [Fact]
    public async Task Split_gives_the_item_a_story_of_its_own_and_move_puts_it_into_another_story_each_audited()
    {
        var (lead, b, c, _) = await StoryAsync();
        var (other, _, _, _) = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        long Story(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).StoryId);

        var split = await PostAsync(editor, lead, "Split", [new("itemId", c.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, split.StatusCode);
        Assert.NotEqual(Story(lead), Story(c));
        Assert.Equal(Story(lead), Story(b));
        Assert.Equal([b], Html.Parse(await editor.GetStringAsync($"/Items/Details/{lead}")).QuerySelectorAll("#story-others li")
            .Select(l => long.Parse(l.GetAttribute("data-item")!)));

        var move = await PostAsync(editor, b, "Move", [new("Move.ItemId", b.ToString()), new("Move.TargetItemId", other.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, move.StatusCode);
        Assert.Equal(Story(other), Story(b));
        var trail = await TrailAsync(await fixture.As(Roles.Publisher), b);
        Assert.Equal(AuditActions.ItemMovedToStory, trail[0]["action"]);
        Assert.Contains($"\"storyOf\":{other}", trail[0]["payload"]);
        Assert.Contains(AuditActions.ItemSplitFromStory, Actions(c));

        // Alone now: splitting again is refused with the reason; a merged item is not moved.
        var again = await PostAsync(editor, lead, "Split", [new("itemId", lead.ToString())]);
        Assert.Contains($"#{lead} is already alone in its story.", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_merged_item_cannot_be_split_or_moved_until_it_is_reopened()
    {
        var (lead, b, _, _) = await StoryAsync();
        var (other, _, _, _) = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        await MergeAsync(editor, lead, b);
        var story = Factory.WithDb(db => db.Items.Single(i => i.Id == b).StoryId);

        var split = await PostAsync(editor, lead, "Split", [new("itemId", b.ToString())]);
        var move = await PostAsync(editor, b, "Move", [new("Move.ItemId", b.ToString()), new("Move.TargetItemId", other.ToString())]);

        Assert.Contains($"#{b} is merged into #{lead}; a Publisher reopens it first.", await split.Content.ReadAsStringAsync());
        Assert.Contains($"#{b} is merged into #{lead}; a Publisher reopens it first.", await move.Content.ReadAsStringAsync());
        Assert.Equal(story, Factory.WithDb(db => db.Items.Single(i => i.Id == b).StoryId));
    }

    [Fact]
    public async Task The_queue_shows_one_row_per_story_with_the_rest_of_it_and_filters_stories_with_more_than_one_item()
    {
        var tag = Unique.Tag();
        var (alpha, beta, gamma, _) = await StoryAsync(tag: tag);
        var alone = new TestItem { Title = $"Rate rise {tag} alone", ProviderName = "delta", PublishedDateTime = TestItem.Utc(2026, 3, 7, 8) };
        await ImportAsync(alone);
        var editor = await fixture.As(Roles.Editor);
        static List<long> Rows(AngleSharp.Dom.IDocument page) =>
            page.QuerySelectorAll("#queue tbody tr").Select(r => long.Parse(r.GetAttribute("data-item-id")!)).ToList();

        var items = Html.Parse(await editor.GetStringAsync($"/?View.Q={tag}"));
        var stories = Html.Parse(await editor.GetStringAsync($"/?View.Q={tag}&View.Stories=true"));
        var multi = Html.Parse(await editor.GetStringAsync($"/?View.Q={tag}&View.MultiStory=true"));

        Assert.Equal(4, Rows(items).Count);
        Assert.Empty(items.QuerySelectorAll(".story-more"));
        // The story's newest item stands for it; the item alone is a story of its own.
        Assert.Equal([gamma, ItemId(alone)], Rows(stories));
        Assert.Equal("+2 more from alpha, beta", stories.One($"tr[data-item-id='{gamma}'] .story-more").Text());
        Assert.Equal($"/Items/Story/{gamma}", stories.One($"tr[data-item-id='{gamma}'] .story-more a").GetAttribute("href"));
        Assert.Equal(new[] { alpha, beta, gamma }.Order(), Rows(multi).Order());

        // Once two are merged away, the story is one item in the queue: no longer "more than one".
        await MergeAsync(editor, alpha, beta, gamma);
        Assert.Empty(Rows(Html.Parse(await editor.GetStringAsync($"/?View.Q={tag}&View.MultiStory=true"))));
    }

    [Fact]
    public async Task Merging_tells_who_marked_an_item_ready_as_a_reject_would_and_stamps_the_apps_clock()
    {
        var (lead, b, c, _) = await StoryAsync();
        var marker = await SignedInAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(marker, b, WorkflowAction.MarkReady)).StatusCode);
        var markerId = Factory.WithDb(db => db.Items.Single(i => i.Id == b).ReadyBy);
        var merger = await fixture.As(Roles.Editor);

        Assert.Equal(HttpStatusCode.Redirect, (await MergeAsync(merger, lead, b, c)).StatusCode);

        var told = Factory.WithDb(db => db.Notifications.AsNoTracking().Where(n => n.ItemId == b || n.ItemId == c).ToList());
        var note = Assert.Single(told);
        Assert.Equal((markerId, NotificationKinds.Rejected, b, MergeItems.ReasonFor(lead)), (note.UserId, note.Kind, note.ItemId, note.Reason));
        Assert.Contains(MergeItems.ReasonFor(lead), await marker.GetStringAsync("/Inbox"));
        var stamps = Factory.WithDb(db => db.Items.AsNoTracking().Where(i => i.Id == lead || i.Id == b).Select(i => i.UpdatedAt).ToList());
        Assert.All(stamps, at => Assert.Equal(fixture.Clock.GetUtcNow(), at));
    }

    [Fact]
    public async Task Merging_an_item_whose_url_is_too_long_to_be_a_link_is_refused_naming_the_item_and_field()
    {
        var (lead, b, c, _) = await StoryAsync();
        // Within the importer's 2,048 characters, but each CJK character is nine bytes once percent-encoded.
        var path = new string(Enumerable.Range(0, 1900).Select(i => (char)(0x4E00 + i % 5000)).ToArray());
        Factory.WithDb(db => db.Items.Where(i => i.Id == c).ExecuteUpdate(u => u.SetProperty(i => i.WebUrl, $"https://cjk.example/{path}")));
        var editor = await fixture.As(Roles.Editor);

        var response = await MergeAsync(editor, lead, b, c);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var errors = Html.Parse(await response.Content.ReadAsStringAsync()).One("#story-errors").Text();
        Assert.Contains($"#{c} cannot be merged as a related link: its webUrl is too long to be a related link", errors);
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == b).State));
        Assert.Equal(0, Factory.WithDb(db => db.RelatedLinks.Count(l => l.ItemId == lead)));
    }

    [Fact]
    public async Task Reopen_of_a_merged_item_holds_its_lead_in_id_order_so_an_id_ordered_holder_is_never_deadlocked()
    {
        var (lead, b, _, _) = await StoryAsync();
        Assert.True(lead < b);
        await MergeAsync(await fixture.As(Roles.Editor), lead, b);
        var publisher = await fixture.As(Roles.Publisher);

        // Someone holding items in id order (a topic rename, a bulk move) holds the lead first...
        await using var holder = await RowLocks.HoldAsync(Factory.ConnectionString, $"SELECT 1 FROM items WHERE id = {lead} FOR NO KEY UPDATE");
        var reopen = Moves.PostAsync(publisher, b, WorkflowAction.Reopen);
        await holder.WaitedForByAsync(reopen, "the reopen", "%items%");
        // ...and then the next one, which the reopen must not have taken before the lead.
        await using (var next = holder.Command($"SELECT 1 FROM items WHERE id = {b} FOR NO KEY UPDATE"))
        {
            await next.ExecuteNonQueryAsync();
        }
        await holder.CommitAsync();

        Assert.Equal(HttpStatusCode.Redirect, (await reopen).StatusCode);
        Assert.Equal((WorkflowState.New, (long?)null), Factory.WithDb(db => db.Items.Where(i => i.Id == b).Select(i => new { i.State, i.MergedIntoId }).ToList()
            .Select(i => (i.State, i.MergedIntoId)).Single()));
    }

    [Fact]
    public async Task Splitting_or_moving_a_merge_lead_takes_the_items_merged_into_it_along_each_audited()
    {
        var (lead, b, c, _) = await StoryAsync();
        var (other, _, _, _) = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        await MergeAsync(editor, lead, b);
        long Story(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).StoryId);
        var before = Story(lead);

        var split = await PostAsync(editor, lead, "Split", [new("itemId", lead.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, split.StatusCode);
        Assert.NotEqual(before, Story(lead));
        Assert.Equal(Story(lead), Story(b));
        Assert.Equal(before, Story(c));
        Assert.Equal(AuditActions.ItemSplitFromStory, Actions(b)[^1]);
        // The lead with only what was merged into it is alone: nothing more to split.
        var again = await PostAsync(editor, lead, "Split", [new("itemId", lead.ToString())]);
        Assert.Contains($"#{lead} is already alone in its story.", await again.Content.ReadAsStringAsync());

        var move = await PostAsync(editor, lead, "Move", [new("Move.ItemId", lead.ToString()), new("Move.TargetItemId", other.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, move.StatusCode);
        Assert.Equal([Story(other)], new[] { Story(lead), Story(b) }.Distinct());
        var trail = await TrailAsync(await fixture.As(Roles.Publisher), b);
        Assert.Equal(AuditActions.ItemMovedToStory, trail[0]["action"]);
        Assert.Contains($"\"withLead\":{lead}", trail[0]["payload"]);
    }

    // REVIEW5 #5: c was merged into b, then b into the lead. c's coverage follows b: c is merged
    // into the lead (one level below a live lead), its link moves to the lead with its decision,
    // a move of the lead takes both along, and Reopen of c undoes its merge from the lead.
    [Fact]
    public async Task Merging_a_lead_that_holds_merged_items_brings_them_and_their_links_to_the_new_lead_each_audited()
    {
        var (lead, b, c, items) = await StoryAsync();
        var (other, _, _, _) = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        var publisher = await fixture.As(Roles.Publisher);
        Assert.Equal(HttpStatusCode.Redirect, (await MergeAsync(editor, b, c)).StatusCode);
        Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == b && l.MergedFromItemId == c)
            .ExecuteUpdate(u => u.SetProperty(l => l.Decision, LinkDecision.Approved)));

        var response = await MergeAsync(editor, lead, b);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal([lead, lead], Factory.WithDb(db => new[] { b, c }.Select(id => db.Items.Single(i => i.Id == id).MergedIntoId).ToList()));
        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == lead).OrderBy(l => l.Position).ToList());
        Assert.Equal([(items[1].OriginalUrl, LinkDecision.Pending, (long?)b), (items[2].OriginalUrl, LinkDecision.Approved, c)],
            links.Select(l => (l.Url, l.Decision, l.MergedFromItemId)));
        Assert.Equal(0, Factory.WithDb(db => db.RelatedLinks.Count(l => l.ItemId == b && l.MergedFromItemId == c)));
        var trail = await TrailAsync(publisher, c);
        Assert.Equal(AuditActions.ItemMerged, trail[0]["action"]);
        Assert.Contains($"\"into\":{lead}", trail[0]["payload"]);
        Assert.Contains($"\"withLead\":{b}", trail[0]["payload"]);

        var move = await PostAsync(editor, lead, "Move", [new("Move.ItemId", lead.ToString()), new("Move.TargetItemId", other.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, move.StatusCode);
        long Story(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).StoryId);
        Assert.Equal([Story(other)], new[] { Story(lead), Story(b), Story(c) }.Distinct());

        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, c, WorkflowAction.Reopen)).StatusCode);
        Assert.Equal((WorkflowState.New, (long?)null), Factory.WithDb(db => db.Items.Where(i => i.Id == c).Select(i => new { i.State, i.MergedIntoId }).ToList()
            .Select(i => (i.State, i.MergedIntoId)).Single()));
        Assert.Contains($"\"from\":{c}", (await TrailAsync(publisher, lead)).First(r => r["action"] == AuditActions.ItemMergeUndone)["payload"]);
    }
}
