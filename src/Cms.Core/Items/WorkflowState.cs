namespace Cms.Core.Items;

// Fixed by docs/ITEM_FORMAT.md so that storage, queue and workflow agree; stored as text.
public enum WorkflowState
{
    New,
    Ready,
    Published,
    Rejected,
    Withdrawn,
}

public enum LinkDecision
{
    Pending,
    Approved,
    Rejected,
}

public enum RevisionStatus
{
    Pending,
    Applied,
    Dismissed,
}
