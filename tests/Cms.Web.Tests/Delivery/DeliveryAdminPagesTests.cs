using System.Net;
using System.Text.RegularExpressions;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Delivery;

public sealed partial class DeliveryAdminPagesTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    [GeneratedRegex("""id="shown-once"[^>]*>([^<]+)<""")]
    private static partial Regex ShownOnce();

    public override async Task DisposeAsync()
    {
        Factory.WithDb(db => db.WebhookEndpoints.ExecuteUpdate(u => u.SetProperty(e => e.Enabled, false)));
        await base.DisposeAsync();
    }

    // TempData cookies the answer sets with a value (one that only deletes an old cookie carries nothing).
    private static List<string> TempDataCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.Contains("TempData", StringComparison.OrdinalIgnoreCase) && !c.Split(';')[0].EndsWith('=')).ToList()
            : [];

    private static async Task<string> FollowAsync(HttpClient client, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetStringAsync(response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_admin_adds_a_site_whose_token_is_shown_once_and_works_and_a_publisher_cannot_reach_the_page()
    {
        var admin = await SignedInAsync(Roles.Admin);
        var name = "page-site-" + Guid.NewGuid().ToString("N")[..6];

        var created = await Http.PostFormAsync(admin, "/Admin/Delivery/Sites", new Dictionary<string, string> { ["Input.Name"] = name }, "/Admin/Delivery/Sites?handler=Create");
        var page = await created.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(ShownOnce().Match(page).Groups[1].Value);

        // Shown in the POST's own answer: no cookie carries it (TempData would), nothing caches it.
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Empty(TempDataCookies(created));
        Assert.Contains("no-store", created.Headers.CacheControl?.ToString());
        Assert.Single(ShownOnce().Matches(page));

        Assert.StartsWith("cms_", token);
        Assert.DoesNotContain(token, await admin.GetStringAsync("/Admin/Delivery/Sites"));
        Assert.Equal(HttpStatusCode.OK, (await app.Api(token).GetAsync("/api/v1/published")).StatusCode);
        var publisher = await SignedInAsync(Roles.Publisher);
        Assert.Equal(HttpStatusCode.Redirect, (await publisher.GetAsync("/Admin/Delivery/Sites")).StatusCode);
    }

    [Fact]
    public async Task The_webhook_pages_add_an_endpoint_show_its_secret_once_log_the_last_answer_and_replay_a_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = await SignedInAsync(Roles.Admin);
        var bad = await Http.PostFormAsync(admin, "/Admin/Delivery/Webhooks", new Dictionary<string, string> { ["Input.Url"] = "ftp://x.example/", ["Input.Events"] = "item.published" }, "/Admin/Delivery/Webhooks?handler=Add");
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("absolute http or https URL", await bad.Content.ReadAsStringAsync());

        var addedAnswer = await Http.PostFormAsync(admin, "/Admin/Delivery/Webhooks",
            new Dictionary<string, string> { ["Input.Url"] = receiver.Url, ["Input.Events"] = "item.published" }, "/Admin/Delivery/Webhooks?handler=Add");
        Assert.Equal(HttpStatusCode.OK, addedAnswer.StatusCode);
        Assert.Empty(TempDataCookies(addedAnswer));
        var added = await addedAnswer.Content.ReadAsStringAsync();
        var secret = WebUtility.HtmlDecode(ShownOnce().Match(added).Groups[1].Value);
        Assert.StartsWith("whsec_", secret);
        receiver.Secrets["current"] = secret;
        receiver.ThenStatus(503);
        await app.PublishedAsync(1);
        await app.SendWebhooksAsync();
        await app.SendWebhooksAsync();
        var endpoint = Factory.WithDb(db => db.WebhookEndpoints.Single(e => e.Url == receiver.Url).Id);

        var log = await admin.GetStringAsync($"/Admin/Delivery/Log?id={endpoint}");
        Assert.Contains("Succeeded", log);
        Assert.Contains("HTTP 200", log);
        Assert.Equal(2, Factory.WithDb(db => db.WebhookDeliveries.Single(d => d.EndpointId == endpoint).Attempts));
        var delivery = Factory.WithDb(db => db.WebhookDeliveries.Single(d => d.EndpointId == endpoint).Id);

        var replayed = await Http.PostFormAsync(admin, $"/Admin/Delivery/Log?id={endpoint}", new Dictionary<string, string> { ["Delivery"] = delivery.ToString() }, $"/Admin/Delivery/Log?id={endpoint}&handler=Replay");
        Assert.Contains("queued again", await FollowAsync(admin, replayed));
        await app.SendWebhooksAsync();

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(receiver.Requests[0].Id, receiver.Requests[2].Id);
        Assert.All(receiver.Requests, r => Assert.Equal(["current"], r.VerifiedWith));
    }
}
