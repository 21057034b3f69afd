using Cms.Core.Security;

namespace Cms.Core.Items;

public enum WorkflowAction
{
    MarkReady,
    SendBack,
    Reject,
    Reopen,
    Publish,
    Withdraw,
    ReopenWithdrawn,
    Correct,
}

// Why a transition may not happen now. Reason text is validation, not a refusal, so it is not here.
public enum Refusal
{
    None,
    NotFromThisState,
    Permission,
    LinksUndecided,
    FourEyes,
    BlockingComment,
    PendingRevision,
}

// What a transition does to the publish folder.
public enum OutputEffect
{
    None,
    Write,
    Remove,
}

public sealed record Transition(
    WorkflowAction Action,
    string Label,
    string Done,
    IReadOnlyList<WorkflowState> From,
    WorkflowState To,
    string Permission,
    bool RequiresReason,
    bool RequiresDecidedLinks,
    bool FourEyes,
    OutputEffect Output);

// The facts about an item that decide its transitions. ReadyBy is whose work a publication would
// release: who marked it Ready, or, on a Published item, who changed it since (user id, or the name
// for actors without an account, such as the command line). PendingRevision: the source changed
// after review and nobody has accepted or dismissed the change yet.
// OpenBlockingThreads: comment threads marked blocking and not resolved.
public sealed record ItemFacts(WorkflowState State, int UndecidedLinks, string? ReadyBy, bool PendingRevision = false, int OpenBlockingThreads = 0);

// The facts about whoever asks: their identity (same form as ItemFacts.ReadyBy) and permissions.
public sealed record ActorFacts(string Identity, IReadOnlySet<string> Permissions);

public sealed record TransitionCheck(Transition Transition, Refusal Refusal, string? Message)
{
    public bool Allowed => Refusal == Refusal.None;
}

// The publish workflow as data (docs/ITEM_FORMAT.md fixes the states): every move, who may make it,
// whether it needs a reason, and its preconditions. Pages, bulk actions, the CLI and the worker all
// ask this table; the server enforces it for every request.
public static class Workflow
{
    // The review queue: items not yet published nor turned down.
    public static readonly IReadOnlyList<WorkflowState> QueueStates = [WorkflowState.New, WorkflowState.Ready];

    public static readonly IReadOnlyList<Transition> Transitions =
    [
        new(WorkflowAction.MarkReady, "Mark ready", "marked ready", [WorkflowState.New], WorkflowState.Ready,
            Permissions.ReviewItems, RequiresReason: false, RequiresDecidedLinks: true, FourEyes: false, OutputEffect.None),
        new(WorkflowAction.SendBack, "Send back", "sent back", [WorkflowState.Ready], WorkflowState.New,
            Permissions.ReviewItems, RequiresReason: true, RequiresDecidedLinks: false, FourEyes: false, OutputEffect.None),
        new(WorkflowAction.Reject, "Reject", "rejected", [WorkflowState.New, WorkflowState.Ready], WorkflowState.Rejected,
            Permissions.ReviewItems, RequiresReason: true, RequiresDecidedLinks: false, FourEyes: false, OutputEffect.None),
        new(WorkflowAction.Reopen, "Reopen", "reopened", [WorkflowState.Rejected], WorkflowState.New,
            Permissions.PublishItems, RequiresReason: false, RequiresDecidedLinks: false, FourEyes: false, OutputEffect.None),
        new(WorkflowAction.Publish, "Publish", "published", [WorkflowState.Ready], WorkflowState.Published,
            Permissions.PublishItems, RequiresReason: false, RequiresDecidedLinks: false, FourEyes: true, OutputEffect.Write),
        new(WorkflowAction.Withdraw, "Withdraw", "withdrawn", [WorkflowState.Published], WorkflowState.Withdrawn,
            Permissions.PublishItems, RequiresReason: true, RequiresDecidedLinks: false, FourEyes: false, OutputEffect.Remove),
        new(WorkflowAction.ReopenWithdrawn, "Reopen withdrawn", "reopened", [WorkflowState.Withdrawn], WorkflowState.New,
            Permissions.PublishItems, RequiresReason: false, RequiresDecidedLinks: false, FourEyes: false, OutputEffect.None),
        // A new version of a live item: every target gets it, the item never leaves Published.
        new(WorkflowAction.Correct, "Publish correction", "corrected", [WorkflowState.Published], WorkflowState.Published,
            Permissions.PublishItems, RequiresReason: true, RequiresDecidedLinks: true, FourEyes: true, OutputEffect.Write),
    ];

    public const string PendingRevisionMessage = "The source changed after review: accept or dismiss the source's change first.";

    public static Transition Get(WorkflowAction action) => Transitions.Single(t => t.Action == action);

    public static WorkflowState? Target(WorkflowState from, WorkflowAction action) =>
        Get(action) is var t && t.From.Contains(from) ? t.To : null;

    // The first reason that stops this actor from making this move on this item now, in the order a
    // person would want to hear them: the move does not exist here, they may not, the item is not
    // finished, someone else must do it.
    public static TransitionCheck Check(WorkflowAction action, ItemFacts item, ActorFacts actor, bool fourEyes)
    {
        var t = Get(action);
        if (!t.From.Contains(item.State))
        {
            return new(t, Refusal.NotFromThisState, $"{t.Label} applies to {Describe(t.From)} items; this one is {item.State}.");
        }
        if (!actor.Permissions.Contains(t.Permission))
        {
            return new(t, Refusal.Permission, $"{t.Label} needs the {t.Permission} permission.");
        }
        if (t.RequiresDecidedLinks && item.UndecidedLinks > 0)
        {
            return new(t, Refusal.LinksUndecided,
                $"Decide every related link first ({item.UndecidedLinks} still pending).");
        }
        if (t.Output == OutputEffect.Write && item.PendingRevision)
        {
            return new(t, Refusal.PendingRevision, PendingRevisionMessage);
        }
        if (HeldByBlockingComments(t) && item.OpenBlockingThreads > 0)
        {
            return new(t, Refusal.BlockingComment, item.OpenBlockingThreads == 1
                ? $"A blocking comment is unresolved: resolve it before {t.Label.ToLowerInvariant()}."
                : $"{item.OpenBlockingThreads} blocking comments are unresolved: resolve them before {t.Label.ToLowerInvariant()}.");
        }
        if (t.FourEyes && fourEyes && item.ReadyBy is not null && item.ReadyBy == actor.Identity)
        {
            return new(t, Refusal.FourEyes, item.State == WorkflowState.Published
                ? "Four-eyes rule: you changed this item since it was published, so another publisher must publish the correction."
                : "Four-eyes rule: you marked this item ready, so another publisher must publish it.");
        }
        return new(t, Refusal.None, null);
    }

    // A blocking comment holds every move that sends the item on towards readers: Mark ready, and
    // every move that writes output (Publish, and a correction of a live item). Moves that take it
    // back or down (send back, reject, withdraw) stay open: a blocking comment must never keep
    // wrong content up.
    public static bool HeldByBlockingComments(Transition t) => t.Action == WorkflowAction.MarkReady || t.Output == OutputEffect.Write;

    // The moves to show this actor on this item: those from its state that their permissions allow,
    // each with the refusal that currently disables it (links undecided, four-eyes) if any.
    public static IReadOnlyList<TransitionCheck> Offered(ItemFacts item, ActorFacts actor, bool fourEyes) =>
        Transitions.Where(t => t.From.Contains(item.State) && actor.Permissions.Contains(t.Permission))
            .Select(t => Check(t.Action, item, actor, fourEyes))
            .ToList();

    // Short words for a per-item result line: "3 refused: four-eyes".
    public static string Short(TransitionCheck check) => check.Refusal switch
    {
        Refusal.NotFromThisState => "not " + Describe(check.Transition.From, " or "),
        Refusal.Permission => "no permission",
        Refusal.LinksUndecided => "related links undecided",
        Refusal.FourEyes => "four-eyes",
        Refusal.BlockingComment => "blocking comment unresolved",
        Refusal.PendingRevision => "source revision pending",
        _ => "allowed",
    };

    private static string Describe(IReadOnlyList<WorkflowState> states, string separator = " or ") =>
        string.Join(separator, states);
}
