using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

public sealed class DeliveryApiTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    // Every entry after the cursor, following nextUrl until a short page.
    private static async Task<List<JsonElement>> FollowAsync(HttpClient api, string? from = null)
    {
        var entries = new List<JsonElement>();
        var url = "/api/v1/published?limit=7" + (from is null ? "" : "&after=" + from);
        while (true)
        {
            var page = await JsonAsync(await api.GetAsync(url));
            entries.AddRange(page.GetProperty("items").EnumerateArray());
            if (!page.GetProperty("more").GetBoolean())
            {
                return entries;
            }
            url = page.GetProperty("nextUrl").GetString()!;
        }
    }

    [Fact]
    public async Task A_request_without_a_token_or_with_a_wrong_one_is_401_and_audited_once_per_token_and_hour()
    {
        var wrong = DeliverySites.TokenPrefix + "not-a-real-token-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 3; i++)
        {
            var response = await app.Api(wrong).GetAsync("/api/v1/published");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(wrong).GetAsync("/api/v1/feeds/atom")).StatusCode);
        }
        var other = wrong + "x";
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(other).GetAsync("/api/v1/published/1")).StatusCode);

        var events = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.DeliveryAccessRefused).Select(a => a.Payload).ToList());
        Assert.Single(events, e => e.Contains(wrong[^4..]) && !e.Contains(other[^4..]));
        Assert.Single(events, e => e.Contains(other[^4..]));
        Assert.DoesNotContain(events, e => e.Contains(wrong));
    }

    [Fact]
    public async Task Tokens_are_stored_hashed_shown_once_and_a_rotated_one_overlaps_until_the_site_is_revoked()
    {
        var name = "site-" + Guid.NewGuid().ToString("N")[..8];
        var first = await app.SiteTokenAsync(name);
        Assert.False(Factory.WithDb(db => db.DeliveryTokens.Any(t => t.Hash == first || t.Hint == first)));
        Assert.Equal(HttpStatusCode.OK, (await app.Api(first).GetAsync("/api/v1/published")).StatusCode);

        var rotated = await app.RunAsync(s => s.GetRequiredService<DeliverySites>().RotateAsync(Actor.CommandLine(), name, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.True(rotated.Succeeded);
        var second = rotated.Value!;
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, (await app.Api(first).GetAsync("/api/v1/published")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Api(second).GetAsync("/api/v1/published")).StatusCode);

        // A rotation without overlap ends the older tokens at once.
        var third = (await app.RunAsync(s => s.GetRequiredService<DeliverySites>().RotateAsync(Actor.CommandLine(), name, TimeSpan.Zero, CancellationToken.None))).Value!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(first).GetAsync("/api/v1/published")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(second).GetAsync("/api/v1/published")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Api(third).GetAsync("/api/v1/published")).StatusCode);

        Assert.True((await app.RunAsync(s => s.GetRequiredService<DeliverySites>().RevokeAsync(Actor.CommandLine(), name, CancellationToken.None))).Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(third).GetAsync("/api/v1/published")).StatusCode);
    }

    [Fact]
    public async Task Managing_sites_needs_the_ManageDelivery_permission()
    {
        var publisher = new Actor("p", "publisher@example.com", Permissions.Of([Roles.Publisher]));
        var outcome = await app.RunAsync(s => s.GetRequiredService<DeliverySites>().CreateAsync(publisher, "not-allowed", CancellationToken.None));
        Assert.Equal(OutcomeStatus.Forbidden, outcome.Result.Status);
        Assert.False(Factory.WithDb(db => db.DeliverySites.Any(s => s.Name == "not-allowed")));
    }

    [Fact]
    public async Task Published_items_come_in_cursor_order_with_the_item_format_fields_and_a_withdrawn_item_is_a_tombstone()
    {
        var api = app.Api(await app.SiteTokenAsync());
        var start = (await JsonAsync(await api.GetAsync("/api/v1/published?after=0&limit=1000"))).GetProperty("next").GetString();
        var story = new TestItem { RelatedCount = 0, Category = "world", Topics = ["Energy"], Quality = 70, ExtraYaml = ["locale: en-GB"] };
        var ids = await app.PublishedAsync([story, .. Enumerable.Range(0, 9).Select(_ => new TestItem { RelatedCount = 0 })]);
        Assert.True((await app.MoveAsync([ids[3]], WorkflowAction.Withdraw, DeliveryFixture.Publisher, "legal")).Succeeded);

        var entries = await FollowAsync(api, start);

        Assert.Equal(ids.Order(), entries.Select(e => e.GetProperty("id").GetInt64()).Order());
        var cursors = entries.Select(e => long.Parse(e.GetProperty("cursor").GetString()!)).ToList();
        Assert.Equal(cursors.Order(), cursors);
        var first = entries.Single(e => e.GetProperty("id").GetInt64() == ids[0]);
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal("published", first.GetProperty("status").GetString());
        var item = first.GetProperty("item");
        Assert.Equal(story.Title, item.GetProperty("title").GetString());
        Assert.True(item.GetProperty("published").GetBoolean());
        Assert.Equal(70, item.GetProperty("quality").GetInt32());
        Assert.Equal("en-GB", item.GetProperty("locale").GetString());
        Assert.Equal(["Energy"], item.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        var tombstone = entries.Single(e => e.GetProperty("id").GetInt64() == ids[3]);
        Assert.Equal("withdrawn", tombstone.GetProperty("status").GetString());
        Assert.Equal(2, tombstone.GetProperty("version").GetInt32());
        Assert.True(tombstone.TryGetProperty("withdrawnAt", out _));
        Assert.False(tombstone.TryGetProperty("item", out _));
        // The withdrawal moved it to the end of the cursor order.
        Assert.Equal(ids[3], entries[^1].GetProperty("id").GetInt64());

        var one = await JsonAsync(await api.GetAsync($"/api/v1/published/{ids[3]}"));
        Assert.Equal("withdrawn", one.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/published/999999999")).StatusCode);
    }

    [Fact]
    public async Task A_repeated_request_with_If_None_Match_gets_304_until_something_changes()
    {
        var api = app.Api(await app.SiteTokenAsync());
        var id = (await app.PublishedAsync(1))[0];

        var single = await api.GetAsync($"/api/v1/published/{id}");
        var page = await api.GetAsync("/api/v1/published?limit=1000");
        Assert.NotNull(single.Headers.ETag);

        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(api, $"/api/v1/published/{id}", single.Headers.ETag!)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(api, "/api/v1/published?limit=1000", page.Headers.ETag!)).StatusCode);

        Assert.True((await app.MoveAsync([id], WorkflowAction.Withdraw, DeliveryFixture.Publisher, "gone")).Succeeded);

        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(api, $"/api/v1/published/{id}", single.Headers.ETag!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(api, "/api/v1/published?limit=1000", page.Headers.ETag!)).StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/published?after=abc")]
    [InlineData("/api/v1/published?after=-1")]
    [InlineData("/api/v1/published?limit=0")]
    [InlineData("/api/v1/published?limit=100000")]
    [InlineData("/api/v1/feeds/atom?before=x")]
    [InlineData("/api/v1/feeds/json?limit=9999")]
    public async Task A_malformed_cursor_or_limit_is_a_400_naming_the_parameter(string url)
    {
        var response = await app.Api(await app.SiteTokenAsync()).GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error", await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> ConditionalAsync(HttpClient api, string url, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        return api.SendAsync(request);
    }
}
