using Cms.Core.Items;
using Cms.Core.Security;

namespace Cms.Core.Tests;

public sealed class WorkflowTests
{
    private static ActorFacts As(string role, string identity = "someone") => new(identity, Permissions.Of([role]));

    private static ItemFacts In(WorkflowState state, int undecided = 0, string? readyBy = "marker") => new(state, undecided, readyBy);

    // The table, written out once more by hand: from, action, to, the weakest role allowed.
    public static TheoryData<WorkflowState, WorkflowAction, WorkflowState, string, bool> Table() => new()
    {
        { WorkflowState.New, WorkflowAction.MarkReady, WorkflowState.Ready, Roles.Editor, false },
        { WorkflowState.Ready, WorkflowAction.SendBack, WorkflowState.New, Roles.Editor, true },
        { WorkflowState.New, WorkflowAction.Reject, WorkflowState.Rejected, Roles.Editor, true },
        { WorkflowState.Ready, WorkflowAction.Reject, WorkflowState.Rejected, Roles.Editor, true },
        { WorkflowState.Rejected, WorkflowAction.Reopen, WorkflowState.New, Roles.Publisher, false },
        { WorkflowState.Ready, WorkflowAction.Publish, WorkflowState.Published, Roles.Publisher, false },
        { WorkflowState.Published, WorkflowAction.Withdraw, WorkflowState.Withdrawn, Roles.Publisher, true },
        { WorkflowState.Withdrawn, WorkflowAction.ReopenWithdrawn, WorkflowState.New, Roles.Publisher, false },
        { WorkflowState.Published, WorkflowAction.Correct, WorkflowState.Published, Roles.Publisher, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_move_leads_to_its_state_needs_its_role_and_its_reason(WorkflowState from, WorkflowAction action, WorkflowState to, string weakest, bool reason)
    {
        Assert.Equal(to, Workflow.Target(from, action));
        Assert.Equal(reason, Workflow.Get(action).RequiresReason);
        foreach (var role in Roles.All)
        {
            var allowed = role == Roles.Admin || role == weakest || (weakest == Roles.Editor && role == Roles.Publisher);
            var check = Workflow.Check(action, In(from), As(role), fourEyes: true);
            Assert.Equal(allowed ? Refusal.None : Refusal.Permission, check.Refusal);
        }
    }

    [Fact]
    public void Every_other_pair_of_state_and_move_does_not_exist()
    {
        var table = Table().Select(row => ((WorkflowState)row[0], (WorkflowAction)row[1])).ToHashSet();
        foreach (var state in Enum.GetValues<WorkflowState>())
        {
            foreach (var action in Enum.GetValues<WorkflowAction>())
            {
                if (!table.Contains((state, action)))
                {
                    Assert.Null(Workflow.Target(state, action));
                    Assert.Equal(Refusal.NotFromThisState, Workflow.Check(action, In(state), As(Roles.Admin), true).Refusal);
                }
            }
        }
    }

    [Fact]
    public void Mark_ready_waits_until_every_related_link_is_decided()
    {
        Assert.Equal(Refusal.LinksUndecided, Workflow.Check(WorkflowAction.MarkReady, In(WorkflowState.New, undecided: 2), As(Roles.Admin), true).Refusal);
        Assert.True(Workflow.Check(WorkflowAction.MarkReady, In(WorkflowState.New, undecided: 0), As(Roles.Editor), true).Allowed);
    }

    [Fact]
    public void Whoever_marked_an_item_ready_cannot_publish_it_unless_four_eyes_is_off()
    {
        var item = In(WorkflowState.Ready, readyBy: "user-1");

        Assert.Equal(Refusal.FourEyes, Workflow.Check(WorkflowAction.Publish, item, As(Roles.Publisher, "user-1"), fourEyes: true).Refusal);
        Assert.True(Workflow.Check(WorkflowAction.Publish, item, As(Roles.Publisher, "user-2"), fourEyes: true).Allowed);
        Assert.True(Workflow.Check(WorkflowAction.Publish, item, As(Roles.Publisher, "user-1"), fourEyes: false).Allowed);
        // Four-eyes binds publishing only: the marker may still send it back.
        Assert.True(Workflow.Check(WorkflowAction.SendBack, item, As(Roles.Publisher, "user-1"), fourEyes: true).Allowed);
    }

    [Fact]
    public void The_page_offers_the_moves_of_the_state_that_the_role_allows_with_what_disables_them()
    {
        var offered = Workflow.Offered(In(WorkflowState.Ready, readyBy: "me"), As(Roles.Publisher, "me"), fourEyes: true);
        Assert.Equal([WorkflowAction.SendBack, WorkflowAction.Reject, WorkflowAction.Publish], offered.Select(c => c.Transition.Action));
        Assert.Equal(Refusal.FourEyes, offered.Single(c => c.Transition.Action == WorkflowAction.Publish).Refusal);
        Assert.Contains("Four-eyes", offered.Single(c => c.Transition.Action == WorkflowAction.Publish).Message);

        var editor = Workflow.Offered(In(WorkflowState.Rejected), As(Roles.Editor), fourEyes: true);
        Assert.Empty(editor);
    }

    [Fact]
    public void Refusals_have_short_words_for_bulk_results()
    {
        Assert.Equal("four-eyes", Workflow.Short(Workflow.Check(WorkflowAction.Publish, In(WorkflowState.Ready, readyBy: "me"), As(Roles.Admin, "me"), true)));
        Assert.Equal("not Ready", Workflow.Short(Workflow.Check(WorkflowAction.Publish, In(WorkflowState.New), As(Roles.Admin), true)));
        Assert.Equal("not New or Ready", Workflow.Short(Workflow.Check(WorkflowAction.Reject, In(WorkflowState.Published), As(Roles.Admin), true)));
    }

    [Fact]
    public void A_correction_stays_Published_writes_output_and_its_author_may_not_publish_it()
    {
        var correct = Workflow.Get(WorkflowAction.Correct);
        Assert.Equal(OutputEffect.Write, correct.Output);
        Assert.Equal([WorkflowState.Published], correct.From);
        var changedBy = In(WorkflowState.Published, readyBy: "corrector");

        var own = Workflow.Check(WorkflowAction.Correct, changedBy, As(Roles.Publisher, "corrector"), fourEyes: true);
        var other = Workflow.Check(WorkflowAction.Correct, changedBy, As(Roles.Publisher, "second"), fourEyes: true);

        Assert.Equal(Refusal.FourEyes, own.Refusal);
        Assert.Contains("changed this item since it was published", own.Message);
        Assert.Equal(Refusal.None, other.Refusal);
        Assert.Equal(Refusal.LinksUndecided, Workflow.Check(WorkflowAction.Correct, In(WorkflowState.Published, undecided: 1), As(Roles.Publisher), true).Refusal);
    }

    [Theory]
    [InlineData(WorkflowState.Ready, WorkflowAction.Publish)]
    [InlineData(WorkflowState.Published, WorkflowAction.Correct)]
    public void A_pending_source_revision_refuses_the_moves_that_write_output(WorkflowState state, WorkflowAction action)
    {
        var facts = new ItemFacts(state, 0, "marker", PendingRevision: true);

        var check = Workflow.Check(action, facts, As(Roles.Publisher, "second"), fourEyes: true);

        Assert.Equal(Refusal.PendingRevision, check.Refusal);
        Assert.Equal(Workflow.PendingRevisionMessage, check.Message);
        Assert.Equal("source revision pending", Workflow.Short(check));
        // Moves that write nothing stay possible: withdrawing a live item, sending a Ready one back.
        Assert.True(Workflow.Check(WorkflowAction.Withdraw, facts with { State = WorkflowState.Published }, As(Roles.Publisher), true).Allowed);
        Assert.True(Workflow.Check(WorkflowAction.SendBack, facts with { State = WorkflowState.Ready }, As(Roles.Editor), true).Allowed);
    }
}
