using Cms.Application.Links;
using Cms.Core.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

public sealed class StoryFlowTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task An_editor_merges_a_telling_into_the_lead_and_splits_another_out_a_publisher_reopens_the_merged_one() => FlowAsync(async () =>
    {
        var tag = Unique.Tag();
        TestItem Telling(string outlet, int hour) => new()
        {
            Title = $"Floods {tag} told by {outlet}",
            Excerpt = $"Rivers rose overnight ({outlet}).",
            ProviderName = outlet,
            PublishedDateTime = TestItem.Utc(2026, 3, 7, hour),
            RelatedCount = 0,
        };
        var (lead, merged, other) = (Telling("Alpha", 9), Telling("Beta", 10), Telling("Gamma", 11));
        await ImportAsync(lead, merged, other);
        var (leadId, mergedId, otherId) = (Fixture.ItemId(lead), Fixture.ItemId(merged), Fixture.ItemId(other));
        var story = Factory.WithDb(db => db.Items.Single(i => i.Id == leadId).StoryId);
        Factory.WithDb(db => db.Items.Where(i => i.Id == mergedId || i.Id == otherId).ExecuteUpdate(u => u.SetProperty(i => i.StoryId, story)));

        // The editor sees the story from the lead's page and merges one telling into it.
        var editor = await SignedInPageAsync(Roles.Editor);
        await editor.GotoAsync($"{BaseUrl}/Items/Details/{leadId}");
        Assert.Equal(2, await editor.Locator("#story-others li").CountAsync());
        await editor.Locator("#story-page").ClickAsync();
        await editor.Locator($"#merge-{mergedId}").CheckAsync();
        await editor.Locator("#merge").ClickAsync();
        await ExpectTextAsync(editor, $"Merged 1 item into #{leadId}");
        Assert.Contains($"Rejected (merged into #{leadId})", await editor.Locator($"tr[data-item='{mergedId}'] .member-state").InnerTextAsync());
        // And splits the third telling out: it is no longer listed.
        await editor.Locator($"#split-{otherId}").ClickAsync();
        await ExpectTextAsync(editor, $"#{otherId} now has a story of its own.");
        Assert.Equal(0, await editor.Locator($"tr[data-item='{otherId}']").CountAsync());

        // The lead now holds the merged telling as a pending related link.
        await editor.GotoAsync($"{BaseUrl}/Items/Details/{leadId}");
        var card = editor.Locator(".related-link").Filter(new() { HasText = merged.Title });
        Assert.Equal(1, await card.CountAsync());
        Assert.True(await card.Locator("input[value='Pending']").IsCheckedAsync());
        await ExpectTextAsync(editor, "Items merged in");

        // A publisher reopens the merged item: it is back in the queue and the link is gone.
        var publisher = await SignedInPageAsync(Roles.Publisher);
        await publisher.GotoAsync($"{BaseUrl}/Items/Details/{mergedId}");
        Assert.Contains($"Merged into #{leadId}", await publisher.Locator("#merged-into").InnerTextAsync());
        await publisher.Locator("#do-Reopen").ClickAsync();
        await ExpectTextAsync(publisher, "Reopened: Rejected → New.");
        await publisher.GotoAsync($"{BaseUrl}/Items/Details/{leadId}");
        Assert.Equal(0, await publisher.Locator(".related-link").Filter(new() { HasText = merged.Title }).CountAsync());
        Assert.Equal(1, await publisher.Locator("#history li[data-action='item.merge-undone']").CountAsync());
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });

    [Fact]
    public Task An_editor_finds_an_item_by_its_broken_link_and_takes_a_moved_links_new_url() => FlowAsync(async () =>
    {
        var tag = Unique.Tag();
        var (gone, old, moved) = ($"https://gone.example/{tag}", $"https://moving.example/{tag}/old", $"https://moving.example/{tag}/new-home");
        var item = new TestItem { Title = $"Links {tag}", Related = [("Gone", gone), ("Moving", old)] };
        await ImportAsync(item);
        var id = Fixture.ItemId(item);
        // What the checker found (its own cases are LinkCheckerTests): discovery first, then its verdicts.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            while (await scope.ServiceProvider.GetRequiredService<LinkChecker>().DiscoverAsync(CancellationToken.None) > 0)
            {
            }
        }
        Factory.WithDb(db => db.LinkChecks.Where(c => c.Url == LinkRules.Key(gone)).ExecuteUpdate(u => u.SetProperty(c => c.Status, nameof(LinkHealth.Broken))));
        Factory.WithDb(db => db.LinkChecks.Where(c => c.Url == LinkRules.Key(old)).ExecuteUpdate(u => u
            .SetProperty(c => c.Status, nameof(LinkHealth.Moved)).SetProperty(c => c.FinalUrl, moved)));

        var editor = await SignedInPageAsync(Roles.Editor);
        await editor.GotoAsync($"{BaseUrl}/?View.Q={tag}");
        await editor.Locator("#broken-links").CheckAsync();
        await editor.Locator("#filters button[type=submit]", new() { HasText = "Apply" }).ClickAsync();
        await editor.Locator($"#queue tbody tr[data-item-id='{id}'] a").First.ClickAsync();
        await editor.Locator(".related-link .replace-url").ClickAsync();
        await ExpectTextAsync(editor, $"The link now points to {moved}; decide it again.");

        var card = editor.Locator(".related-link").Filter(new() { HasText = "Moving" });
        Assert.Contains(moved, await card.Locator(".link-url").InnerTextAsync());
        Assert.True(await card.Locator("input[value='Pending']").IsCheckedAsync());
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
}
