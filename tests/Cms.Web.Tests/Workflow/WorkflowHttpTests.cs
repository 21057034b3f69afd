using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Workflow;

// One signed-in client per role for the whole class (signing in is most of a request's cost).
public class WorkflowFixture : AppFixture
{
    private readonly Dictionary<string, HttpClient> _clients = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<HttpClient> As(string role)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_clients.TryGetValue(role, out var client))
            {
                _clients[role] = client = await SignedInAsync(role);
            }
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }
}

// Every transition x {Editor, Publisher, Admin}, over HTTP, from the item page and from the queue's
// bulk action: allowed exactly as the table says; a refusal changes nothing and is audited.
public sealed class WorkflowHttpTests(WorkflowFixture fixture) : WebTest(fixture), IClassFixture<WorkflowFixture>
{
    private static readonly Dictionary<WorkflowAction, string> WeakestRole = new()
    {
        [WorkflowAction.MarkReady] = Roles.Editor,
        [WorkflowAction.SendBack] = Roles.Editor,
        [WorkflowAction.Reject] = Roles.Editor,
        [WorkflowAction.Reopen] = Roles.Publisher,
        [WorkflowAction.Publish] = Roles.Publisher,
        [WorkflowAction.Withdraw] = Roles.Publisher,
        [WorkflowAction.ReopenWithdrawn] = Roles.Publisher,
        [WorkflowAction.Correct] = Roles.Publisher,
    };

    public static TheoryData<WorkflowAction, string, bool> EveryMove()
    {
        var data = new TheoryData<WorkflowAction, string, bool>();
        foreach (var action in Enum.GetValues<WorkflowAction>())
        {
            foreach (var role in Roles.All)
            {
                data.Add(action, role, false);
                data.Add(action, role, true);
            }
        }
        return data;
    }

    private static bool Allowed(WorkflowAction action, string role) =>
        role == Roles.Admin || WeakestRole[action] == Roles.Editor || role == Roles.Publisher;

    // An item in the move's first source state, marked ready by someone else when it is Ready.
    private async Task<long> ItemForAsync(WorkflowAction action)
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        var state = Core.Items.Workflow.Get(action).From[0];
        Factory.WithDb(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u
            .SetProperty(i => i.State, state)
            .SetProperty(i => i.ReadyBy, state == WorkflowState.Ready ? "someone-else" : null)
            .SetProperty(i => i.OutputFile, state == WorkflowState.Published ? story.OriginalUrl.GetHashCode().ToString("x") + ".txt" : null)));
        return id;
    }

    private int Events(long id, string action) => Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == action && a.EntityId == id.ToString()));

    private int Refusals(long id) => Events(id, AuditActions.AuthorizationRefused) + Events(id, AuditActions.ItemTransitionRefused);

    [Theory]
    [MemberData(nameof(EveryMove))]
    public async Task Each_move_is_allowed_or_refused_by_role_exactly_as_the_table_says(WorkflowAction action, string role, bool bulk)
    {
        var client = await fixture.As(role);
        var id = await ItemForAsync(action);
        var transition = Core.Items.Workflow.Get(action);
        var allowed = Allowed(action, role);
        var refusalsBefore = Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && (a.EntityId == id.ToString() || a.EntityId == null)));

        var page = await client.GetStringAsync($"/Items/Details/{id}");
        // The page offers the move exactly when this role may make it.
        Assert.Equal(allowed, Html.Parse(page).QuerySelector($"#do-{action}") is not null);
        HttpResponseMessage response;
        if (bulk)
        {
            var queue = await client.GetStringAsync("/");
            Assert.Equal(allowed, Html.Parse(queue).QuerySelector($"option[value={action}]") is not null);
            response = await client.PostAsync("/?handler=Bulk", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Http.AntiforgeryToken(queue),
                ["Bulk.Action"] = action.ToString(),
                ["Bulk.Ids"] = id.ToString(),
                ["Bulk.Reason"] = "a reason",
            }));
        }
        else
        {
            response = await client.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
                ["Move.Action"] = action.ToString(),
                ["Move.Reason"] = "a reason",
            }));
        }

        var state = Factory.WithDb(db => db.Items.Single(i => i.Id == id).State);
        if (allowed)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(transition.To, state);
            Assert.Equal(1, Events(id, AuditActions.ItemStateChanged));
            Assert.Equal(0, Refusals(id));
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("permission", await response.Content.ReadAsStringAsync());
            Assert.Equal(transition.From[0], state);
            Assert.Equal(0, Events(id, AuditActions.ItemStateChanged));
            var refusalsAfter = Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && (a.EntityId == id.ToString() || a.EntityId == null)));
            Assert.Equal(refusalsBefore + 1, refusalsAfter);
        }
    }

    [Fact]
    public async Task A_move_from_the_wrong_state_posted_directly_changes_nothing_and_is_audited()
    {
        var publisher = await fixture.As(Roles.Publisher);
        var id = await ItemForAsync(WorkflowAction.MarkReady);
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        Assert.Null(Html.Parse(page).QuerySelector("#do-Withdraw"));

        var response = await publisher.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.Action"] = nameof(WorkflowAction.Withdraw),
            ["Move.Reason"] = "sneaky",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Withdraw applies to Published items; this one is New.", await response.Content.ReadAsStringAsync());
        Assert.Equal(WorkflowState.New, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
        Assert.Equal(1, Events(id, AuditActions.ItemTransitionRefused));
    }

    [Fact]
    public async Task A_move_that_needs_a_reason_has_a_required_field_and_is_refused_without_one()
    {
        var editor = await fixture.As(Roles.Editor);
        var id = await ItemForAsync(WorkflowAction.SendBack);
        var page = await editor.GetStringAsync($"/Items/Details/{id}");
        var reason = Html.Parse(page).One("input#reason-SendBack");
        Assert.Equal("Move.Reasons[SendBack]", reason.GetAttribute("name"));
        Assert.True(reason.HasAttribute("required"));

        var response = await editor.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.Action"] = nameof(WorkflowAction.SendBack),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Send back needs a reason.", await response.Content.ReadAsStringAsync());
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task A_ready_item_warns_before_a_save_that_it_will_return_to_new()
    {
        var editor = await fixture.As(Roles.Editor);
        var id = await ItemForAsync(WorkflowAction.SendBack);

        var page = await editor.GetStringAsync($"/Items/Details/{id}");

        Assert.Contains("saving a change to its quality, category, topics or related links returns it to New", page);
    }
}
