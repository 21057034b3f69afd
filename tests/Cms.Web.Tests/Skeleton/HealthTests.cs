using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

public sealed class HealthTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task Healthz_and_readyz_answer_anonymously_with_json()
    {
        var client = Factory.Browser();

        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("application/json", ready.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"migrations\":{\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_fails_on_a_database_with_pending_migrations_while_healthz_stays_up()
    {
        var empty = await TestPostgres.CreateDatabaseAsync(migrated: false);
        try
        {
            await using var app = new CmsFactory(empty);
            var client = app.Browser();

            var ready = await client.GetAsync("/readyz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("pending migrations", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }
}
