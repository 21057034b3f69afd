using System.Net;
using Cms.Application;
using Cms.Application.Comments;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Live;

public sealed class InboxPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<(Actor Actor, HttpClient Client)> PersonAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, role);
        var client = Factory.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(client, email, Password)).StatusCode);
        return (new Actor(user.Id, email, Permissions.Of([role])), client);
    }

    private async Task<long> CommentAsync(Actor author, long item, string body)
    {
        using var scope = Factory.Services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemComments>().AddAsync(author, new(item, body), CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        return outcome.Value;
    }

    [Fact]
    public async Task The_navigation_bar_counts_unread_entries_and_the_inbox_links_to_the_item_and_comment()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var (alice, _) = await PersonAsync(Roles.Editor);
        var (bob, bobClient) = await PersonAsync(Roles.Editor);
        var before = await bobClient.GetStringAsync("/");

        var comment = await CommentAsync(alice, item, $"@{bob.Name} look at <script>alert(1)</script> https://example.org/a");
        var after = await bobClient.GetStringAsync("/");
        var inbox = await bobClient.GetStringAsync("/Inbox");

        Assert.Matches("id=\"inbox-count\"[^>]*hidden", before);
        Assert.Matches("id=\"inbox-count\"[^>]*>1</span>", after);
        Assert.Contains($"href=\"/Items/Details/{item}#comment-{comment}\"", inbox);
        Assert.Contains(alice.Name, inbox);
        Assert.Contains("mentioned you", inbox);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", inbox);
        Assert.DoesNotContain("<script>alert(1)", inbox);
    }

    [Fact]
    public async Task Marking_an_entry_read_lowers_the_count_and_keeps_the_entry()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var (alice, _) = await PersonAsync(Roles.Editor);
        var (bob, bobClient) = await PersonAsync(Roles.Publisher);
        await CommentAsync(alice, item, $"@{bob.Name} one");
        await CommentAsync(alice, item, $"@{bob.Name} two");
        var id = Factory.WithDb(db => db.Notifications.Where(n => n.UserId == bob.UserId).Min(n => n.Id));

        var read = await Http.PostFormAsync(bobClient, "/Inbox", new Dictionary<string, string>(), $"/Inbox?handler=Read&id={id}");
        var page = await bobClient.GetStringAsync("/Inbox");
        var unreadOnly = await bobClient.GetStringAsync("/Inbox?unread=true");

        Assert.Equal(HttpStatusCode.Redirect, read.StatusCode);
        Assert.Matches("id=\"inbox-count\"[^>]*>1</span>", page);
        Assert.Contains($"id=\"notification-{id}\"", page);
        Assert.DoesNotContain($"id=\"notification-{id}\"", unreadOnly);
    }

    [Fact]
    public async Task Someone_elses_entry_cannot_be_marked_read()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var (alice, aliceClient) = await PersonAsync(Roles.Editor);
        var (bob, _) = await PersonAsync(Roles.Editor);
        await CommentAsync(alice, item, $"@{bob.Name} yours");
        var bobs = Factory.WithDb(db => db.Notifications.Single(n => n.UserId == bob.UserId).Id);

        await Http.PostFormAsync(aliceClient, "/Inbox", new Dictionary<string, string>(), $"/Inbox?handler=Read&id={bobs}");

        Assert.Null(Factory.WithDb(db => db.Notifications.Single(n => n.Id == bobs).ReadAt));
    }
}

public sealed class QueueAssignmentPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task The_queue_shows_who_an_item_is_assigned_to_and_filters_to_my_items()
    {
        var category = "queue-assign-" + Unique.Tag();
        var mine = new TestItem { Category = category, Title = "Mine " + Unique.Tag() };
        var other = new TestItem { Category = category, Title = "Other " + Unique.Tag() };
        await ImportAsync(mine, other);
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        var user = await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var client = Factory.Browser();
        await Http.SignInAsync(client, email, Password);
        using (var scope = Factory.Services.CreateScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<Cms.Application.Assignment.ItemAssignments>()
                .AssignAsync(new Actor(user.Id, email, Permissions.Of([Roles.Editor])), ItemId(mine), user.Id, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Message);
        }

        var all = Html.Parse(await client.GetStringAsync($"/?View.Category={category}"));
        var filtered = Html.Parse(await client.GetStringAsync($"/?View.Category={category}&View.Assignee={user.Id}"));

        var mineRow = all.QuerySelector($"tr[data-item-id='{ItemId(mine)}'] td:nth-child(11)")!;
        Assert.Equal(email, mineRow.TextContent.Trim());
        Assert.Equal("", all.QuerySelector($"tr[data-item-id='{ItemId(other)}'] td:nth-child(11)")!.TextContent.Trim());
        Assert.Equal(user.Id, all.QuerySelector("#mine")!.GetAttribute("value"));
        Assert.Equal([ItemId(mine).ToString()], filtered.QuerySelectorAll("#queue tbody tr").Select(r => r.GetAttribute("data-item-id")!));
        Assert.True(filtered.QuerySelector("#mine")!.HasAttribute("checked"));
    }
}
