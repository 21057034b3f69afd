using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// The per-state totals take no shared row lock: a move waits for no other transaction that changes
// states (an import batch inserting New items, a bulk move), and the totals stay exact.
public sealed class StateCountConcurrencyTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Dictionary<WorkflowState, long> Totals() => app.Read(db =>
        db.ItemStateCounts.Select(c => new { c.State, c.Count }).Concat(db.ItemStateCountDeltas.Select(d => new { d.State, Count = d.Delta }))
            .GroupBy(c => c.State).Select(g => new { g.Key, Sum = g.Sum(c => c.Count) }).ToList()
            .Where(c => c.Sum != 0).ToDictionary(c => Enum.Parse<WorkflowState>(c.Key), c => c.Sum));

    private Dictionary<WorkflowState, long> Actual() => app.Read(db => db.Items.GroupBy(i => i.State).Select(g => new { g.Key, Count = (long)g.Count() })
        .ToDictionary(g => g.Key, g => g.Count));

    [Fact]
    public async Task A_move_completes_while_another_transaction_that_changed_states_stays_open_and_the_totals_stay_exact()
    {
        var ids = await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml(), new TestItem { RelatedCount = 0 }.ToYaml());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        // Holds what an import batch holds: a statement that changed the New count, not committed.
        await using var open = await db.Database.BeginTransactionAsync();
        await db.Items.Where(i => i.Id == ids[0]).ExecuteUpdateAsync(s => s.SetProperty(i => i.State, WorkflowState.Rejected));

        var move = app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(ids[1], WorkflowAction.MarkReady, null), CancellationToken.None));

        Assert.True(await Task.WhenAny(move, Task.Delay(TimeSpan.FromSeconds(60))) == move, "the move waited for the other transaction: the state counts are a shared lock again");
        Assert.True((await move).Succeeded, (await move).Message);
        await open.CommitAsync();
        Assert.Equal(Actual(), Totals());

        await app.RunAsync(s => StateCountFolding.FoldAsync(s.GetRequiredService<CmsDbContext>(), CancellationToken.None));

        Assert.Equal(Actual(), Totals());
        Assert.Equal(0, app.Read(db => db.ItemStateCountDeltas.Count()));
    }
}
