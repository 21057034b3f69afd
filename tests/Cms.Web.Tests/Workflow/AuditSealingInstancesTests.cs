using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Workflow;

// Every instance runs the sealing loop; two instances on one database take turns and chain each
// event once, while the trail keeps growing. The test decides nothing by the clock: it waits for
// the database to say everything is sealed (with a safety net) and then checks the chain.
public sealed class AuditSealingInstancesTests : WebTest
{
    private static readonly Dictionary<string, string?> Sealing = new() { ["Audit:Sealer"] = "true", ["Audit:SealMilliseconds"] = "50" };

    [Fact]
    public async Task Two_instances_sealing_one_database_while_events_are_written_chain_every_event_once()
    {
        await using var first = new CmsFactory(ConnectionString, Sealing);
        await using var second = new CmsFactory(ConnectionString, Sealing);
        _ = first.Services;
        _ = second.Services;

        var stories = Enumerable.Range(0, 120).Select(_ => new TestItem { RelatedCount = 0 }).ToArray();
        await ImportAsync(stories);
        var ids = stories.Select(ItemId).ToList();
        // Moves from both instances while both seal.
        await Task.WhenAll(new[] { first, second }.Select((instance, n) => Task.Run(async () =>
        {
            foreach (var id in ids.Where((_, i) => i % 2 == n))
            {
                using var scope = instance.Services.CreateScope();
                var outcome = await scope.ServiceProvider.GetRequiredService<ItemTransitions>()
                    .HandleAsync(Actor.System("test"), new(id, WorkflowAction.Reject, "duplicate"), CancellationToken.None);
                Assert.True(outcome.Succeeded, outcome.Message);
            }
        })));

        await Eventually.HappensAsync(() => Factory.WithDb(db => !db.AuditEvents.Any(e => e.Seq == null)), "the instances' sealing loops sealing every event");

        var count = Factory.WithDb(db => db.AuditEvents.Count());
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long?)i), Factory.WithDb(db => db.AuditEvents.Select(e => e.Seq).OrderBy(s => s).ToList()));
        using var scope = Factory.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None);
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(count, result.Checked);
        // Each loop writes the head to its own instance's anchor file.
        var file = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString).Database + ".anchors";
        await Eventually.HappensAsync(() => new[] { first, second }.All(i => AuditAnchors.Latest(Path.Combine(i.AnchorFolder, file)) is not null),
            "each instance anchoring the head");
    }
}
