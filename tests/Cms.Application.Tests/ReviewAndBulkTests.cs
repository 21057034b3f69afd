using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class ReviewAndBulkTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<long> ItemInStateAsync(WorkflowState state)
    {
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        await app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Items.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.State, state)));
        return id;
    }

    public static TheoryData<WorkflowState, ReviewAction> EveryMove()
    {
        var data = new TheoryData<WorkflowState, ReviewAction>();
        foreach (var state in Enum.GetValues<WorkflowState>())
        {
            foreach (var action in Enum.GetValues<ReviewAction>())
            {
                data.Add(state, action);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMove))]
    public async Task A_review_move_happens_exactly_when_the_workflow_table_allows_it(WorkflowState from, ReviewAction action)
    {
        var id = await ItemInStateAsync(from);

        var outcome = await app.RunAsync(s => s.GetRequiredService<ReviewTransitions>().HandleAsync(Actors.Editor(), id, action, CancellationToken.None));

        var expected = Workflow.Target(from, action);
        var state = app.Read(db => db.Items.Single(i => i.Id == id).State);
        var events = app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString()));
        if (expected is { } target)
        {
            Assert.True(outcome.Succeeded, outcome.Message);
            Assert.Equal(target, state);
            Assert.Equal(1, events);
        }
        else
        {
            Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
            Assert.Equal(from, state);
            Assert.Equal(0, events);
        }
    }

    [Fact]
    public async Task A_bulk_review_move_applies_the_same_table_and_audits_only_the_items_it_moved()
    {
        var fresh = await ItemInStateAsync(WorkflowState.New);
        var published = await ItemInStateAsync(WorkflowState.Published);

        var outcome = await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Editor(), new BulkEdit.Command([fresh, published], nameof(ReviewAction.MarkReady), null), CancellationToken.None));

        Assert.Equal("Mark ready: 1 of 2 selected items changed.", outcome.Message);
        Assert.Equal(WorkflowState.Ready, app.Read(db => db.Items.Single(i => i.Id == fresh).State));
        Assert.Equal(WorkflowState.Published, app.Read(db => db.Items.Single(i => i.Id == published).State));
        Assert.Equal("editor@example.com", app.Read(db => db.Items.Single(i => i.Id == fresh).EditedBy));
        Assert.Null(app.Read(db => db.Items.Single(i => i.Id == published).EditedBy));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemBulkEdited && (a.EntityId == fresh.ToString() || a.EntityId == published.ToString()))));
    }

    [Fact]
    public async Task A_bulk_add_of_an_unknown_topic_by_an_editor_changes_nothing()
    {
        var id = await ItemInStateAsync(WorkflowState.New);
        var unknown = $"Invented {Guid.NewGuid():N}";

        var outcome = await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Editor(), new BulkEdit.Command([id], BulkEdit.AddTopic, unknown), CancellationToken.None));

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.False(app.Read(db => db.Topics.Any(t => t.Name == unknown)));
        Assert.Equal(0, app.Read(db => db.AuditEvents.Count(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemBulkEdited)));
    }
}
