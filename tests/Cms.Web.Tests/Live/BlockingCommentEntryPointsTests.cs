using Cms.Application.Comments;
using Cms.Core.Items;
using Cms.Web.Tests.Delivery;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Cms.Testing;

namespace Cms.Web.Tests.Live;

// The entry points of a move towards readers beyond the application tests' (item page handler,
// bulk, scheduling, the scheduler: Cms.Application.Tests' BlockingCommentTests): the command line's
// publish and correct, and the correction offered on a live item's page. A blocking comment holds
// a correction too: it writes output, and the thread says that something must not go out as it is.
public sealed class BlockingCommentEntryPointsTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private WorkflowState State(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State);

    private int Versions(long id) => Factory.WithDb(db => db.PublishedItems.Where(p => p.ItemId == id).Select(p => p.Version).FirstOrDefault());

    private async Task<(Actor Author, long Thread)> BlockAsync(long item)
    {
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var author = new Actor(user.Id, email, Core.Security.Permissions.Of([Roles.Editor]));
        var added = await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(author, new(item, "Hold: the figures are disputed", Blocking: true), CancellationToken.None));
        Assert.True(added.Succeeded, added.Result.Message);
        return (author, added.Value);
    }

    private async Task ResolveAsync(Actor author, long thread) =>
        Assert.True((await app.RunAsync(s => s.GetRequiredService<ItemComments>().ResolveAsync(author, thread, resolved: true, CancellationToken.None))).Succeeded);

    [Fact]
    public async Task The_command_line_refuses_publish_and_correct_of_a_blocked_item_naming_it_and_goes_ahead_once_resolved()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var ready = ItemId(story);
        Assert.True((await app.MoveAsync([ready], WorkflowAction.MarkReady, DeliveryFixture.Editor)).Succeeded);
        var live = (await app.PublishedAsync(new TestItem { RelatedCount = 0 }))[0];
        var (author, readyThread) = await BlockAsync(ready);
        var (_, liveThread) = await BlockAsync(live);
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString };

        var publish = await Repo.RunCmsAsync(env, "items", "publish", ready.ToString());
        var correct = await Repo.RunCmsAsync(env, "items", "correct", live.ToString(), "--reason", "typo");

        Assert.Equal(3, publish.ExitCode);
        Assert.Contains($"#{ready} ", publish.Output);
        Assert.Contains("A blocking comment is unresolved: resolve it before publish.", publish.Output);
        Assert.Equal(3, correct.ExitCode);
        Assert.Contains($"#{live} ", correct.Output);
        Assert.Contains("A blocking comment is unresolved: resolve it before publish correction.", correct.Output);
        Assert.Equal(WorkflowState.Ready, State(ready));
        Assert.Equal(1, Versions(live));

        await ResolveAsync(author, readyThread);
        await ResolveAsync(author, liveThread);
        var published = await Repo.RunCmsAsync(env, "items", "publish", ready.ToString());
        var corrected = await Repo.RunCmsAsync(env, "items", "correct", live.ToString(), "--reason", "typo");

        Assert.True(published.ExitCode == 0, published.Output + published.Errors);
        Assert.True(corrected.ExitCode == 0, corrected.Output + corrected.Errors);
        Assert.Equal(WorkflowState.Published, State(ready));
        Assert.Equal(2, Versions(live));
    }

    [Fact]
    public async Task A_live_items_page_offers_the_correction_disabled_with_the_reason_while_a_blocking_thread_is_open()
    {
        var live = (await app.PublishedAsync(new TestItem { RelatedCount = 0 }))[0];
        await BlockAsync(live);
        var publisher = await SignedInAsync(Roles.Publisher);

        var page = Html.Parse(await publisher.GetStringAsync($"/Items/Details/{live}"));

        Assert.True(page.One("#do-Correct").HasAttribute("disabled"));
        Assert.Contains("blocking comment is unresolved", page.One("#why-Correct").Text());
        Assert.False(page.One("#do-Withdraw").HasAttribute("disabled"));
    }

    // A move holds its items' rows as TransitionBatch takes them.
    private Task<RowLocks> HoldItemAsync(long item, params string[] then) =>
        RowLocks.HoldAsync(ConnectionString, [$"SELECT 1 FROM items WHERE id = {item} FOR NO KEY UPDATE", .. then]);

    [Fact]
    public async Task A_blocking_comment_waits_for_a_move_that_holds_its_item_so_the_move_is_never_published_past_it_unseen()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        await using var held = await HoldItemAsync(id);
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var author = new Actor(user.Id, email, Core.Security.Permissions.Of([Roles.Editor]));

        var added = app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(author, new(id, "Hold it", Blocking: true), CancellationToken.None));
        await held.WaitedForByAsync(added, "adding a blocking comment");
        await held.CommitAsync();

        Assert.True((await added).Succeeded);
    }

    [Fact]
    public async Task A_publish_waiting_for_its_item_counts_a_blocking_comment_committed_meanwhile_and_is_refused()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        Assert.True((await app.MoveAsync([id], WorkflowAction.MarkReady, DeliveryFixture.Editor)).Succeeded);
        var user = await Factory.CreateUserAsync($"editor-{Guid.NewGuid():N}@example.com", Password, Roles.Editor);
        // The comment's own transaction, holding the item as ItemComments does for a blocking thread.
        await using var held = await HoldItemAsync(id,
            $"INSERT INTO comments (item_id, author_id, body, blocking, created_at) VALUES ({id}, '{user.Id}', 'Hold it', true, now())");

        var publish = app.MoveAsync([id], WorkflowAction.Publish, DeliveryFixture.Publisher);
        await held.WaitedForByAsync(publish, "the publish");
        await held.CommitAsync();
        var outcome = await publish;

        Assert.Contains("0 published, 1 refused: blocking comment unresolved", outcome.Message);
        Assert.Equal(WorkflowState.Ready, State(id));
    }
}
