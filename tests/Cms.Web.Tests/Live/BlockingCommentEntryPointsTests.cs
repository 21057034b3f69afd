using Cms.Application.Comments;
using Cms.Core.Items;
using Cms.Web.Tests.Delivery;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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

    // A move holds its items' rows (FOR NO KEY UPDATE, as TransitionBatch takes them) on this connection.
    private async Task<(NpgsqlConnection Conn, NpgsqlTransaction Tx)> HoldItemAsync(long item)
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand($"SELECT 1 FROM items WHERE id = {item} FOR NO KEY UPDATE", conn, tx);
        await hold.ExecuteNonQueryAsync();
        return (conn, tx);
    }

    // Returns once another session waits for a lock; fails at once if the work finished instead.
    private static async Task WaitsForTheLockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Task work, string what)
    {
        var giveUp = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Assert.False(work.IsCompleted, $"{what} finished while the item's row was held: it did not wait for it");
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", conn, tx))
            {
                await clear.ExecuteNonQueryAsync();
            }
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'", conn, tx);
            if ((long)(await waiting.ExecuteScalarAsync())! > 0)
            {
                return;
            }
            Assert.True(giveUp.Elapsed < Eventually.SafetyNet, $"safety net: {what} never waited for the item's row");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_blocking_comment_waits_for_a_move_that_holds_its_item_so_the_move_is_never_published_past_it_unseen()
    {
        var story = new TestItem { RelatedCount = 0 };
        await ImportAsync(story);
        var id = ItemId(story);
        var (conn, tx) = await HoldItemAsync(id);
        await using var _ = conn;
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var author = new Actor(user.Id, email, Core.Security.Permissions.Of([Roles.Editor]));

        var added = app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(author, new(id, "Hold it", Blocking: true), CancellationToken.None));
        await WaitsForTheLockAsync(conn, tx, added, "adding a blocking comment");
        await tx.CommitAsync();

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
        var (conn, tx) = await HoldItemAsync(id);
        await using var _ = conn;
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO comments (item_id, author_id, body, blocking, created_at) VALUES ({id}, @author, 'Hold it', true, now())", conn, tx))
        {
            insert.Parameters.AddWithValue("author", user.Id);
            await insert.ExecuteNonQueryAsync();
        }

        var publish = app.MoveAsync([id], WorkflowAction.Publish, DeliveryFixture.Publisher);
        await WaitsForTheLockAsync(conn, tx, publish, "the publish");
        await tx.CommitAsync();
        var outcome = await publish;

        Assert.Contains("0 published, 1 refused: blocking comment unresolved", outcome.Message);
        Assert.Equal(WorkflowState.Ready, State(id));
    }
}
