using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Delivery;

// Issue 23, Build 4: the delivery API, the feeds and the audit page read from a streaming standby
// (ConnectionStrings:CmsReadOnly); editors' pages and every write go to the primary; a standby that
// is down or further behind than ReadOnly:MaxLagSeconds is passed over for the primary. What was
// read where is proven by data: with replay paused, the standby visibly lacks the primary's latest
// commits.
public sealed class StandbyReadTests(StandbyFixture app) : WebTest(app), IClassFixture<StandbyFixture>
{
    private StreamingPair Pair => app.Pair;

    [Fact]
    public async Task The_api_the_feeds_and_the_audit_page_answer_from_the_standby_while_it_is_behind_within_the_limit()
    {
        var (shown, hidden) = await app.StandbyBehindAsync();
        // Created after the pause: the token check reads the primary (a revoked token stops at once).
        var token = await app.SiteTokenAsync();
        using var api = StandbyFixture.Api(Factory, token);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/published/{shown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        var list = await api.GetStringAsync("/api/v1/published?limit=1000");
        Assert.Contains($"\"id\":{shown},", list);
        Assert.DoesNotContain($"\"id\":{hidden},", list);
        var feed = await api.GetStringAsync("/api/v1/feeds/json?limit=200");
        Assert.Contains($"urn:cms:item:{shown}\"", feed);
        Assert.DoesNotContain($"urn:cms:item:{hidden}\"", feed);
        var atom = await api.GetStringAsync("/api/v1/feeds/atom?limit=200");
        Assert.DoesNotContain($"urn:cms:item:{hidden}<", atom);

        var publisher = await SignedInAsync(Roles.Publisher);
        Assert.Single(await AuditRowsAsync(publisher, shown, AuditActions.DeliveryVersionRecorded));
        Assert.Empty(await AuditRowsAsync(publisher, hidden, AuditActions.DeliveryVersionRecorded));

        // The API's own writes still reach the primary while it reads the standby: a refusal is recorded.
        int Refusals() => Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.DeliveryAccessRefused));
        var refusals = Refusals();
        using var forged = StandbyFixture.Api(Factory, "cms_" + Guid.NewGuid().ToString("N"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/published")).StatusCode);
        Assert.Equal(refusals + 1, Refusals());

        await Pair.ResumeReplayAsync();
        await Pair.CaughtUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        Assert.Single(await AuditRowsAsync(publisher, hidden, AuditActions.DeliveryVersionRecorded));
    }

    [Fact]
    public async Task An_editor_sees_his_own_save_on_his_pages_at_once_while_the_standby_is_behind()
    {
        await app.ReadyAsync();
        var item = new TestItem { Quality = 40, Category = "news", Topics = ["AI"], RelatedCount = 0 };
        await ImportAsync(item);
        var id = ItemId(item);
        var editor = await SignedInAsync(Roles.Editor);
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Input.Version"] = Html.Field(html, "Input.Version"),
            ["Input.Quality"] = "72",
            ["Input.Category"] = "news",
            ["Input.Topics"] = "AI",
        };
        await Pair.CaughtUpAsync();
        await Pair.PauseReplayAsync();

        var saved = await editor.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));

        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());
        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{id}"));
        Assert.Equal("72", page.Field("Input.Quality"));
        Assert.NotEmpty(page.QuerySelectorAll($"#history li.history-entry[data-action='{AuditActions.ItemEdited}']"));
        // ... while the standby still holds the item as it was.
        await using var standby = TestPostgres.Context(app.StandbyConnectionString);
        Assert.Equal(40, standby.Items.Single(i => i.Id == id).Quality);
    }

    [Fact]
    public async Task With_the_standby_stopped_the_api_answers_from_the_primary()
    {
        await app.ReadyAsync();
        var token = await app.SiteTokenAsync();
        var old = await app.PublishedAsync();
        await Pair.CaughtUpAsync();
        // The cached host looks at the standby now (used: not behind, or behind by less than its
        // limit on its clock) and trusts that look until its clock moves again.
        app.CachedClock.Advance(TimeSpan.FromSeconds(StandbyFixture.CheckSeconds));
        using var cached = StandbyFixture.Api(app.Cached, token);
        Assert.Equal(HttpStatusCode.OK, (await cached.GetAsync($"/api/v1/published/{old}")).StatusCode);
        await Pair.PauseReplayAsync();
        var hidden = await app.PublishedAsync();
        using var api = StandbyFixture.Api(Factory, token);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await cached.GetAsync($"/api/v1/published/{hidden}")).StatusCode);

        await Pair.StopStandbyAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        Assert.Contains($"urn:cms:item:{hidden}\"", await api.GetStringAsync("/api/v1/feeds/json?limit=200"));
        // Still within its look's lifetime, the cached host finds the standby gone on connecting and
        // asks the primary instead of failing the request.
        Assert.Equal(HttpStatusCode.OK, (await cached.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        await Pair.StartStandbyAsync();
    }

    [Fact]
    public async Task A_standby_further_behind_than_the_limit_is_passed_over_for_the_primary()
    {
        var (_, hidden) = await app.StandbyBehindAsync();
        var token = await app.SiteTokenAsync();
        var replayed = await Pair.LastReplayedCommitAsync();
        using var api = StandbyFixture.Api(app.Lagging, token);

        // Behind by less than the limit: the standby answers, without the newest publication.
        app.LaggingClock.SetUtcNow(replayed.AddSeconds(StandbyFixture.LaggingMaxLagSeconds - 1));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);

        // Behind by more (and past the look's lifetime): the primary answers.
        app.LaggingClock.SetUtcNow(replayed.AddSeconds(StandbyFixture.LaggingMaxLagSeconds + 2));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/v1/published/{hidden}")).StatusCode);
        Assert.Contains($"urn:cms:item:{hidden}\"", await api.GetStringAsync("/api/v1/feeds/json?limit=200"));
        await Pair.ResumeReplayAsync();
    }

    private static async Task<List<AngleSharp.Dom.IElement>> AuditRowsAsync(HttpClient client, long item, string action)
    {
        var response = await client.GetAsync($"/Audit?Filter.Item={item}&Filter.Action={action}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. Html.Parse(await response.Content.ReadAsStringAsync()).QuerySelectorAll("#audit tbody tr")];
    }
}
