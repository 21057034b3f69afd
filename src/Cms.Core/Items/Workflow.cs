namespace Cms.Core.Items;

public enum ReviewAction
{
    MarkReady,
    Reopen,
    Reject,
    Restore,
}

// The review part of the workflow: which moves exist between states. Publishing and withdrawal
// (with their own permission and the file they write) belong to the publish workflow.
public static class Workflow
{
    // The review queue: items not yet published nor turned down.
    public static readonly IReadOnlyList<WorkflowState> QueueStates = [WorkflowState.New, WorkflowState.Ready];

    public static WorkflowState? Target(WorkflowState from, ReviewAction action) => (from, action) switch
    {
        (WorkflowState.New, ReviewAction.MarkReady) => WorkflowState.Ready,
        (WorkflowState.Ready, ReviewAction.Reopen) => WorkflowState.New,
        (WorkflowState.New or WorkflowState.Ready, ReviewAction.Reject) => WorkflowState.Rejected,
        (WorkflowState.Rejected, ReviewAction.Restore) => WorkflowState.New,
        _ => null,
    };
}
