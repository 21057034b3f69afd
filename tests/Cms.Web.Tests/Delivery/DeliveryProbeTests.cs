using System.Net;
using System.ServiceModel.Syndication;
using System.Xml;
using Cms.Application.Delivery;
using Cms.Core.Auditing;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Delivery;

// Issue 18, Build 6: the delivery surfaces probed as an anonymous client or a site would.
public sealed class DeliveryProbeTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    [Fact]
    public async Task A_client_presenting_a_new_wrong_token_each_time_cannot_flood_the_audit_trail()
    {
        int Refusals() => Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.DeliveryAccessRefused));
        var before = Refusals();
        for (var i = 0; i < DeliverySites.RefusalsAuditedPerClientAndHour + 20; i++)
        {
            var forged = DeliverySites.TokenPrefix + Guid.NewGuid().ToString("N");
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api(forged).GetAsync("/api/v1/published")).StatusCode);
        }
        Assert.Equal(DeliverySites.RefusalsAuditedPerClientAndHour, Refusals() - before);
    }

    [Theory]
    [InlineData("atom", "category=%01")]
    [InlineData("atom", "topic=%1B%5B31m")]
    [InlineData("json", "category=a%0Ab")]
    [InlineData("atom", "category=%EF%BF%BE")]
    public async Task A_feed_asked_for_a_category_or_topic_with_a_control_character_is_refused_with_400(string format, string query)
    {
        var token = await app.SiteTokenAsync();
        var response = await app.Api(token).GetAsync($"/api/v1/feeds/{format}?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("control character", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_published_value_holding_a_character_XML_cannot_carry_does_not_break_the_atom_feed()
    {
        // YAML's escapes reach characters its plain text refuses; U+FFFE is text to YAML and JSON,
        // but not a character of XML 1.0. (Names and titles refuse or drop noncharacters since
        // REVIEW8 #2; an excerpt still carries one.)
        var tag = Unique.Tag();
        await app.PublishedAsync(new TestItem { RelatedCount = 0, ExtraYaml = [$"excerpt: \"News {tag} \\uFFFE\""] });
        var response = await app.Api(await app.SiteTokenAsync()).GetAsync("/api/v1/feeds/atom");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        var formatter = new Atom10FeedFormatter();
        formatter.ReadFrom(reader);
        Assert.Contains(formatter.Feed.Items, i => i.Summary?.Text.Contains($"News {tag} \uFFFD") == true);
    }

    // The class shares one database: a test's endpoints must not receive the next test's events.
    public override async Task DisposeAsync()
    {
        Factory.WithDb(db => db.WebhookEndpoints.ExecuteUpdate(u => u.SetProperty(e => e.Enabled, false)));
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("NUL")]
    [InlineData("split pair")]
    public async Task A_receiver_answering_text_PostgreSQL_cannot_store_does_not_hold_up_the_other_endpoints(string answer)
    {
        // A NUL is valid UTF-8 but no PostgreSQL text; an emoji straddling the kept 2,000 characters
        // leaves half a surrogate pair, which no UTF-8 encoder writes.
        var body = answer == "NUL" ? "ok\0" : new string('a', WebhookClient.MaxResponse - 1) + "\U0001F600";
        await using var hostile = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        var endpoints = new List<long>();
        foreach (var receiver in new[] { hostile, healthy })
        {
            var added = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.CommandLine(), receiver.Url, [DeliveryEvents.Published], CancellationToken.None));
            Assert.True(added.Succeeded, added.Result.Message);
            endpoints.Add(added.Value.Id);
        }
        hostile.ThenBody(200, body);
        await app.PublishedAsync(1);

        for (var round = 0; await app.SendWebhooksAsync() > 0; round++)
        {
            Assert.True(round < 10, "webhook deliveries did not settle within 10 rounds");
        }

        var deliveries = Factory.WithDb(db => db.WebhookDeliveries.Where(d => endpoints.Contains(d.EndpointId)).ToList());
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryStatus.Succeeded, d.Status));
        Assert.Single(healthy.Requests);
        Assert.Single(hostile.Requests);
        Assert.StartsWith(answer == "NUL" ? "ok" : "aaa", deliveries.Single(d => d.EndpointId == endpoints[0]).LastResponse);
    }

    // Issue 18 follow-up: the refusal bookkeeping is needed for its hour only; the worker's webhook
    // round drops what is older than Delivery:AccessFailureRetentionHours (24).
    [Fact]
    public async Task The_worker_drops_refusal_records_older_than_the_retention_and_keeps_the_recent_ones()
    {
        var now = app.Clock.GetUtcNow();
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var tag = Guid.NewGuid().ToString("N")[..12];
        var rows = new Dictionary<string, DateTimeOffset>
        {
            ["old-" + tag] = hour.AddHours(-25),
            ["yesterday-" + tag] = hour.AddHours(-23),
            ["now-" + tag] = hour,
        };
        Factory.WithDb(db =>
        {
            db.DeliveryAccessFailures.AddRange(rows.Select(r => new DeliveryAccessFailure { Key = r.Key, Hour = r.Value }));
            return db.SaveChanges();
        });

        await Factory.Services.GetRequiredService<WebhookLoop>().RoundAsync(CancellationToken.None);

        var left = Factory.WithDb(db => db.DeliveryAccessFailures.Where(f => f.Key.EndsWith(tag)).Select(f => f.Key).ToList());
        Assert.Equal(["now-" + tag, "yesterday-" + tag], left.Order());
    }
}
