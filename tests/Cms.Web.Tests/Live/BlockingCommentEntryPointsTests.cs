using Cms.Application.Comments;
using Cms.Core.Items;
using Cms.Web.Tests.Delivery;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

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
}
