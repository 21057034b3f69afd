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

    [Fact]
    public void Other_moves_are_not_held_up_by_a_blocking_thread()
    {
        var facts = new ItemFacts(WorkflowState.Ready, 0, "marker", OpenBlockingThreads: 2);

        Assert.True(Workflow.Check(WorkflowAction.SendBack, facts, Publisher, fourEyes: true).Allowed);
        Assert.True(Workflow.Check(WorkflowAction.Reject, facts, Publisher, fourEyes: true).Allowed);
    }
}
