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

    // Dismissed by the import, not by a person: a newer source replaced it or took it back. The
    // same file sent again is offered again (a person's decision stands).
    Superseded,
}
