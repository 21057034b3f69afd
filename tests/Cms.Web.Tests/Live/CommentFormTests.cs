using System.Net;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Live;

// The talk panel without JavaScript: plain form posts and the page again.
public sealed class CommentFormTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<(HttpClient Client, long Item)> EditorOnItemAsync()
    {
        var story = new TestItem { Related = [("Other", "https://other.example/story")] };
        await ImportAsync(story);
        return (await SignedInAsync(Roles.Editor), ItemId(story));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, long item, string handler, Dictionary<string, string> fields) =>
        Http.PostFormAsync(client, $"/Items/Details/{item}", fields, $"/Items/Details/{item}?handler={handler}");

    [Fact]
    public async Task A_comment_posted_by_form_shows_encoded_with_its_links_and_its_anchor_on_the_link_card()
    {
        var (client, item) = await EditorOnItemAsync();

        var posted = await PostAsync(client, item, "Comment", new()
        {
            ["Talk.Body"] = "<img src=x onerror=alert(1)> see https://source.example/doc and javascript:alert(2)",
            ["Talk.Anchor"] = "link:https://other.example/story",
        });
        var page = Html.Parse(await client.GetStringAsync($"/Items/Details/{item}"));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Matches($"/Items/Details/{item}#comment-\\d+$", posted.Headers.Location!.ToString());
        var body = page.QuerySelector(".comment .comment-body")!;
        Assert.Null(body.QuerySelector("img"));
        Assert.Contains("<img src=x onerror=alert(1)>", body.TextContent);
        Assert.Equal(["https://source.example/doc"], body.QuerySelectorAll("a").Select(a => a.GetAttribute("href")!));
        Assert.Equal("noopener noreferrer nofollow", body.QuerySelector("a")!.GetAttribute("rel"));
        Assert.NotNull(page.QuerySelector(".related-link .link-comment a[href^='#comment-']"));
    }

    [Fact]
    public async Task A_comment_on_one_of_two_links_differing_only_by_fragment_shows_on_that_link_card_alone()
    {
        var story = new TestItem { Related = [("First", "https://frag.example/live#update-1"), ("Second", "https://frag.example/live#update-2")] };
        await ImportAsync(story);
        var client = await SignedInAsync(Roles.Editor);
        var item = ItemId(story);

        var form = Html.Parse(await client.GetStringAsync($"/Items/Details/{item}"));
        var posted = await PostAsync(client, item, "Comment", new()
        {
            ["Talk.Body"] = "The second update is wrong",
            ["Talk.Anchor"] = "link:https://frag.example/live#update-2",
        });
        var page = Html.Parse(await client.GetStringAsync($"/Items/Details/{item}"));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(["link:https://frag.example/live#update-1", "link:https://frag.example/live#update-2"],
            form.QuerySelectorAll("#Talk_Anchor option[value^='link:']").Select(o => o.GetAttribute("value")!));
        var cards = page.QuerySelectorAll(".related-link").ToList();
        Assert.Equal(2, cards.Count);
        Assert.Equal([0, 1], cards.Select(c => c.QuerySelectorAll(".link-comment").Length));
    }

    [Fact]
    public async Task A_refused_mention_comes_back_on_the_page_with_the_reason_and_the_text_kept()
    {
        var (client, item) = await EditorOnItemAsync();
        var outsider = $"norole-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(outsider, Password);

        var refused = await PostAsync(client, item, "Comment", new() { ["Talk.Body"] = $"@{outsider} have a look" });
        var html = await refused.Content.ReadAsStringAsync();
        var page = Html.Parse(html);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains($"{outsider} cannot read this item", page.QuerySelector("#talk-errors")!.TextContent);
        Assert.Equal($"@{outsider} have a look", page.QuerySelector("#Talk_Body")!.TextContent);
        Assert.False(Factory.WithDb(db => db.Comments.Any(c => c.ItemId == item)));
    }

    [Fact]
    public async Task Assigning_by_form_shows_the_assignee_and_the_blocking_thread_disables_publish_with_the_reason()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var publisher = await SignedInAsync(Roles.Publisher);
        Factory.WithDb(db => db.Items.Where(i => i.Id == item).ExecuteUpdate(u => u
            .SetProperty(i => i.State, Cms.Core.Items.WorkflowState.Ready).SetProperty(i => i.ReadyBy, "someone-else")));
        var assignee = Factory.WithDb(db => db.Users.OrderBy(u => u.CreatedAt).Select(u => new { u.Id, u.UserName }).ToList()).Last();

        var assigned = await PostAsync(publisher, item, "Assign", new() { ["Talk.AssignTo"] = assignee.Id });
        var blocked = await PostAsync(publisher, item, "Comment", new() { ["Talk.Body"] = "Wait for legal", ["Talk.Blocking"] = "true" });
        var page = Html.Parse(await publisher.GetStringAsync($"/Items/Details/{item}"));

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (assigned.StatusCode, blocked.StatusCode));
        Assert.Equal($"Now: {assignee.UserName}", page.QuerySelector("#assignee")!.TextContent);
        Assert.True(page.QuerySelector("#do-Publish")!.HasAttribute("disabled"));
        Assert.Contains("blocking comment is unresolved", page.QuerySelector("#why-Publish")!.TextContent);
        Assert.NotNull(page.QuerySelector("#blocking-open"));
    }

    // "@" suggests exactly who a mention would accept: active accounts whose role may read items,
    // by the start of their name; nobody without a reading role, disabled or locked.
    [Fact]
    public async Task The_mention_suggestions_list_only_people_who_may_read_items()
    {
        var tag = "sugg" + Guid.NewGuid().ToString("N")[..8];
        await Factory.CreateUserAsync($"{tag}-editor@example.com", Password, Roles.Editor);
        await Factory.CreateUserAsync($"{tag}-norole@example.com", Password);
        var locked = await Factory.CreateUserAsync($"{tag}-locked@example.com", Password, Roles.Editor);
        var disabled = await Factory.CreateUserAsync($"{tag}-disabled@example.com", Password, Roles.Publisher);
        Factory.WithDb(db => db.Users.Where(u => u.Id == locked.Id).ExecuteUpdate(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddDays(1))));
        Factory.WithDb(db => db.Users.Where(u => u.Id == disabled.Id).ExecuteUpdate(u => u.SetProperty(x => x.DisabledAt, DateTimeOffset.UtcNow)));
        var (client, item) = await EditorOnItemAsync();

        var json = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/live/people?item={item}&q={tag.ToUpperInvariant()}"));
        var tooLong = await client.GetAsync($"/live/people?item={item}&q={new string('a', 101)}");

        Assert.Equal([$"{tag}-editor@example.com"], json.RootElement.GetProperty("people").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    // Both read "unassigned" and both insert the assignment: the second is answered as a conflict
    // (409, the page with the reason), not a server error (PROBE13: a 500 on pk_item_assignments).
    [Fact]
    public async Task Two_editors_assigning_the_same_unassigned_item_at_once_get_one_assignment_and_one_conflict()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var first = $"assign-a-{Guid.NewGuid():N}@example.com";
        var second = $"assign-b-{Guid.NewGuid():N}@example.com";
        var a = await Factory.CreateUserAsync(first, Password, Roles.Editor);
        var b = await Factory.CreateUserAsync(second, Password, Roles.Editor);
        var page = $"/Items/Details/{item}";
        var byA = await AtOnce.PreparedPostAsync(await SignedInAsAsync(first), page, page + "?handler=Assign", new() { ["Talk.AssignTo"] = a.Id });
        var byB = await AtOnce.PreparedPostAsync(await SignedInAsAsync(second), page, page + "?handler=Assign", new() { ["Talk.AssignTo"] = b.Id });

        var statuses = await AtOnce.WritingAsync(App.OwnerConnectionString, "item_assignments", byA, byB);

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Conflict], statuses);
        Assert.Contains(Factory.WithDb(db => db.ItemAssignments.Where(x => x.ItemId == item).Select(x => x.UserId).Single()), new[] { a.Id, b.Id });
    }
}
