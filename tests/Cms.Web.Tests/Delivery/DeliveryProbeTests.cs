using System.Net;
using Cms.Application.Delivery;
using Cms.Core.Auditing;
using Cms.Web.Tests.Infrastructure;

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
}
