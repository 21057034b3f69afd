using System.Net;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Workflow;

public sealed class FourEyesOffFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Workflow:FourEyes"] = "false" };
}

public static class Moves
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, long id, WorkflowAction action, string? reason = null)
    {
        var page = await client.GetStringAsync($"/Items/Details/{id}");
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Move.Action"] = action.ToString(),
        };
        if (reason is not null)
        {
            form["Move.Reason"] = reason;
        }
        return await client.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(form));
    }
}

public sealed class FourEyesTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task The_publisher_who_marked_ready_sees_why_publish_is_disabled_is_refused_on_a_direct_post_and_a_second_publisher_publishes()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        var marker = await SignedInAsync(Roles.Publisher);
        var second = await SignedInAsync(Roles.Publisher);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(marker, id, WorkflowAction.MarkReady)).StatusCode);

        var page = await marker.GetStringAsync($"/Items/Details/{id}");
        Assert.True(Html.Parse(page).One("#do-Publish").HasAttribute("disabled"));
        Assert.Equal("Four-eyes rule: you marked this item ready, so another publisher must publish it.", Html.Parse(page).One("#why-Publish").TextContent);
        var refused = await Moves.PostAsync(marker, id, WorkflowAction.Publish);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemTransitionRefused && a.EntityId == id.ToString())));

        var secondPage = await second.GetStringAsync($"/Items/Details/{id}");
        Assert.False(Html.Parse(secondPage).One("#do-Publish").HasAttribute("disabled"));
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(second, id, WorkflowAction.Publish)).StatusCode);
        Assert.Equal(WorkflowState.Published, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task Bulk_publish_reports_four_eyes_refusals_per_item()
    {
        var mine = new TestItem { RelatedCount = 0 };
        var theirs = new TestItem { RelatedCount = 0 };
        await ImportAsync(mine, theirs);
        var publisher = await SignedInAsync(Roles.Publisher);
        var editor = await SignedInAsync(Roles.Editor);
        await Moves.PostAsync(publisher, ItemId(mine), WorkflowAction.MarkReady);
        await Moves.PostAsync(editor, ItemId(theirs), WorkflowAction.MarkReady);

        var queue = await publisher.GetStringAsync("/");
        var response = await publisher.PostAsync("/?handler=Bulk", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Http.AntiforgeryToken(queue)),
            new("Bulk.Action", nameof(WorkflowAction.Publish)),
            new("Bulk.Ids", ItemId(mine).ToString()),
            new("Bulk.Ids", ItemId(theirs).ToString()),
        ]));

        Assert.Contains("Publish: 1 published, 1 refused: four-eyes.", await publisher.GetStringAsync(response.Headers.Location!.OriginalString));
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == ItemId(mine)).State));
        Assert.Equal(WorkflowState.Published, Factory.WithDb(db => db.Items.Single(i => i.Id == ItemId(theirs)).State));
    }
}

public sealed class FourEyesOffTests(FourEyesOffFixture app) : WebTest(app), IClassFixture<FourEyesOffFixture>
{
    [Fact]
    public async Task With_four_eyes_off_the_publisher_who_marked_ready_may_publish()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        var publisher = await SignedInAsync(Roles.Publisher);
        await Moves.PostAsync(publisher, id, WorkflowAction.MarkReady);

        Assert.False(Html.Parse(await publisher.GetStringAsync($"/Items/Details/{id}")).One("#do-Publish").HasAttribute("disabled"));
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, id, WorkflowAction.Publish)).StatusCode);
        Assert.Equal(WorkflowState.Published, Factory.WithDb(db => db.Items.Single(i => i.Id == id).State));
    }
}
