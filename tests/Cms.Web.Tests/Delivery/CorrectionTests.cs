using System.Net;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

public sealed class CorrectionTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    public override async Task DisposeAsync()
    {
        Factory.WithDb(db => db.WebhookEndpoints.ExecuteUpdate(u => u.SetProperty(e => e.Enabled, false)));
        await base.DisposeAsync();
    }

    private WorkflowState State(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State);

    private Task<Outcome> EditQualityAsync(Actor actor, long id, int quality)
    {
        var item = Factory.WithDb(db => db.Items.AsNoTracking().Single(i => i.Id == id));
        var topics = Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        return app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor,
            new SaveItemEdits.Command(id, item.Version, quality, item.Category, topics, [], null), CancellationToken.None));
    }

    private Task<int> WriteFilesAsync() => app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None));

    private static async Task<JsonElement> ItemJsonAsync(HttpClient api, long id) =>
        JsonDocument.Parse(await api.GetStringAsync($"/api/v1/published/{id}")).RootElement.Clone();

    [Fact]
    public async Task A_note_only_save_leaves_a_correction_with_the_person_who_changed_the_item_so_he_still_cannot_publish_it()
    {
        var id = (await app.PublishedAsync(new TestItem { RelatedCount = 0, Quality = 40 }))[0];
        var changer = DeliveryFixture.Publisher with { UserId = "changer", Name = "changer@example.com" };
        Assert.True((await EditQualityAsync(changer, id, 85)).Succeeded);
        var item = Factory.WithDb(db => db.Items.AsNoTracking().Single(i => i.Id == id));
        var noted = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(DeliveryFixture.Editor,
            new SaveItemEdits.Command(id, item.Version, 85, item.Category, [], [], "checked with the desk"), CancellationToken.None));

        var own = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(changer,
            new ItemTransitions.Request(id, WorkflowAction.Correct, "quality re-rated"), CancellationToken.None));

        Assert.True(noted.Succeeded, noted.Message);
        Assert.Equal(OutcomeStatus.Forbidden, own.Status);
        Assert.Equal("changer", Factory.WithDb(db => db.Items.Single(i => i.Id == id).ReadyBy));
    }

    [Fact]
    public async Task A_correction_reaches_the_folder_the_API_the_feeds_and_the_webhook_receiver_as_version_2_of_the_same_id_while_the_item_stays_Published()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.CommandLine(), receiver.Url, [.. DeliveryEvents.All], CancellationToken.None));
        receiver.Secrets["current"] = endpoint.Value.Secret;
        var api = app.Api(await app.SiteTokenAsync());
        var category = "corr-" + Guid.NewGuid().ToString("N")[..6];
        var id = (await app.PublishedAsync(new TestItem { RelatedCount = 0, Quality = 40, Category = category }))[0];
        await WriteFilesAsync();
        await app.SendWebhooksAsync();
        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!));
        Assert.Contains("quality: 40", await File.ReadAllTextAsync(file));

        // An edit of the live item changes the CMS's copy only: every target still has version 1.
        Assert.True((await EditQualityAsync(DeliveryFixture.Editor, id, 85)).Succeeded);
        Assert.Equal(WorkflowState.Published, State(id));
        var before = await ItemJsonAsync(api, id);
        Assert.Equal(1, before.GetProperty("version").GetInt32());
        Assert.Equal(40, before.GetProperty("item").GetProperty("quality").GetInt32());

        // Correcting needs a reason, and its author may not publish it (four-eyes as for Publish).
        Assert.Equal(OutcomeStatus.Invalid, (await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(DeliveryFixture.Publisher,
            new ItemTransitions.Request(id, WorkflowAction.Correct, null), CancellationToken.None))).Status);
        var self = DeliveryFixture.Publisher with { UserId = "editor" };
        Assert.Equal(OutcomeStatus.Forbidden, (await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(self,
            new ItemTransitions.Request(id, WorkflowAction.Correct, "quality re-rated"), CancellationToken.None))).Status);

        var corrected = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(DeliveryFixture.Publisher,
            new ItemTransitions.Request(id, WorkflowAction.Correct, "quality re-rated"), CancellationToken.None));
        Assert.True(corrected.Succeeded, corrected.Message);
        Assert.Equal(WorkflowState.Published, State(id));
        await WriteFilesAsync();
        await app.SendWebhooksAsync();

        // Folder: rewritten in place.
        Assert.Contains("quality: 85", await File.ReadAllTextAsync(file));
        Assert.Single(Directory.GetFiles(Factory.PublishFolder), f => f == file);
        // API: version 2 of the same id.
        var after = await ItemJsonAsync(api, id);
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.Equal(85, after.GetProperty("item").GetProperty("quality").GetInt32());
        // Feeds: the same entry, updated.
        using (var reader = XmlReader.Create(await api.GetStreamAsync($"/api/v1/feeds/atom?category={category}")))
        {
            var entry = Assert.Single(SyndicationFeed.Load(reader).Items);
            Assert.Equal($"urn:cms:item:{id}", entry.Id);
            Assert.Equal([2], entry.ElementExtensions.ReadElementExtensions<int>("version", "urn:cms:delivery"));
            // The fixture's clock stands still, so the publication and the correction share one
            // second: the correction must still read as later to a reader comparing `updated`.
            Assert.True(entry.LastUpdatedTime > entry.PublishDate);
        }
        var json = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/feeds/json?category={category}")).RootElement;
        var jsonEntry = Assert.Single(json.GetProperty("items").EnumerateArray());
        Assert.Equal(2, jsonEntry.GetProperty("_cms").GetProperty("version").GetInt32());
        // Webhook: item.corrected, version 2, same item, signed.
        Assert.Equal(["item.published", "item.corrected"], receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));
        var data = JsonDocument.Parse(receiver.Requests[1].Body).RootElement.GetProperty("data");
        Assert.Equal(id, data.GetProperty("id").GetInt64());
        Assert.Equal(2, data.GetProperty("version").GetInt32());
        Assert.Equal(85, data.GetProperty("item").GetProperty("quality").GetInt32());
        // The version's time as the API tells it (a second after the publication, on a standing clock).
        Assert.Equal(after.GetProperty("changedAt").GetString(), data.GetProperty("changedAt").GetString());
        Assert.All(receiver.Requests, r => Assert.Equal(["current"], r.VerifiedWith));
        // Audit: the move with its reason, and what changed in the output, before and after.
        var events = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString()).OrderBy(a => a.Id).ToList());
        Assert.Contains(events, e => e.Action == AuditActions.ItemStateChanged && e.Payload.Contains("\"Correct\"") && e.Payload.Contains("quality re-rated"));
        var recorded = JsonDocument.Parse(events.Last(e => e.Action == AuditActions.DeliveryVersionRecorded).Data!).RootElement;
        Assert.Equal("item.corrected", recorded.GetProperty("event").GetString());
        Assert.Equal(2, recorded.GetProperty("version").GetInt32());
        var change = Assert.Single(recorded.GetProperty("changes").EnumerateArray());
        Assert.Equal("quality", change.GetProperty("field").GetString());
        Assert.Equal("40", change.GetProperty("before").GetString());
        Assert.Equal("85", change.GetProperty("after").GetString());
        // The item never left Published: no state change away from it was recorded.
        Assert.DoesNotContain(events, e => e.Action == AuditActions.ItemStateChanged && e.Payload.Contains("\"before\":\"Published\",\"after\":\"Withdrawn\""));
    }

    [Fact]
    public async Task The_item_page_offers_the_correction_only_on_a_Published_item_with_a_required_reason()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var id = (await app.PublishedAsync(1))[0];

        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.Contains("id=\"do-Correct\"", page);
        Assert.Contains("id=\"reason-Correct\"", page);

        var response = await Workflow.Moves.PostAsync(publisher, id, WorkflowAction.Correct, "typo in the category");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(2, Factory.WithDb(db => db.PublishedItems.Single(p => p.ItemId == id).Version));
        Assert.Equal(WorkflowState.Published, State(id));
    }
}
