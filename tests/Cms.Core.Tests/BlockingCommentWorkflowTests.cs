using Cms.Core.Items;
using Cms.Core.Security;

namespace Cms.Core.Tests;

public sealed class BlockingCommentWorkflowTests
{
    private static readonly ActorFacts Publisher = new("publisher", Permissions.Of([Roles.Publisher]));

    [Theory]
    [InlineData(WorkflowState.New, WorkflowAction.MarkReady)]
    [InlineData(WorkflowState.Ready, WorkflowAction.Publish)]
    public void Mark_ready_and_publish_are_refused_while_a_blocking_thread_is_open_naming_the_reason(WorkflowState state, WorkflowAction action)
    {
        var check = Workflow.Check(action, new ItemFacts(state, 0, "marker", OpenBlockingThreads: 1), Publisher, fourEyes: true);

        Assert.Equal(Refusal.BlockingComment, check.Refusal);
        Assert.Contains("blocking comment is unresolved", check.Message);
        Assert.Equal("blocking comment unresolved", Workflow.Short(check));
        Assert.True(Workflow.Check(action, new ItemFacts(state, 0, "marker"), Publisher, fourEyes: true).Allowed);
    }

    // Every move of the table, whatever moves are added later: held when it sends the item on
    // towards readers (Mark ready, any move that writes output), open otherwise.
    [Fact]
    public void Moves_that_send_the_item_on_are_held_and_moves_that_take_it_back_or_down_are_not()
    {
        var held = new List<WorkflowAction>();
        foreach (var t in Workflow.Transitions)
        {
            var facts = new ItemFacts(t.From[0], 0, "marker", OpenBlockingThreads: 2);
            var check = Workflow.Check(t.Action, facts, Publisher, fourEyes: true);
            if (check.Refusal == Refusal.BlockingComment)
            {
                Assert.Contains("2 blocking comments are unresolved", check.Message);
                held.Add(t.Action);
            }
            else
            {
                Assert.True(check.Allowed, $"{t.Action}: {check.Message}");
            }
        }

        Assert.Equal([WorkflowAction.MarkReady, WorkflowAction.Publish, WorkflowAction.Correct], held);
    }
}
