using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class WorkflowTests
{
    [Theory]
    [InlineData(WorkflowState.New, ReviewAction.MarkReady, WorkflowState.Ready)]
    [InlineData(WorkflowState.Ready, ReviewAction.Reopen, WorkflowState.New)]
    [InlineData(WorkflowState.New, ReviewAction.Reject, WorkflowState.Rejected)]
    [InlineData(WorkflowState.Ready, ReviewAction.Reject, WorkflowState.Rejected)]
    [InlineData(WorkflowState.Rejected, ReviewAction.Restore, WorkflowState.New)]
    public void Review_moves_lead_to_their_state(WorkflowState from, ReviewAction action, WorkflowState to)
    {
        Assert.Equal(to, Workflow.Target(from, action));
    }

    [Theory]
    [InlineData(WorkflowState.Published, ReviewAction.Reject)]
    [InlineData(WorkflowState.Published, ReviewAction.Reopen)]
    [InlineData(WorkflowState.Withdrawn, ReviewAction.MarkReady)]
    [InlineData(WorkflowState.Ready, ReviewAction.MarkReady)]
    [InlineData(WorkflowState.New, ReviewAction.Restore)]
    public void Moves_that_do_not_exist_are_refused(WorkflowState from, ReviewAction action)
    {
        Assert.Null(Workflow.Target(from, action));
    }
}
