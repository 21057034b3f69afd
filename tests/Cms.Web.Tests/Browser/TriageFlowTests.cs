using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// One item's triage in Chromium: edits are never lost on a workflow click, the sticky bar takes an
// item from the queue to Ready and on to the next one in one page load, and the keys do the same.
public sealed class TriageFlowTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    private readonly string _category = "triage-" + Unique.Tag();

    private TestItem Item(int hour, string? topic = null) => new()
    {
        Title = $"Triage story {hour} {Unique.Tag()}",
        Category = _category,
        Quality = 55,
        Topics = topic is null ? [] : [topic],
        PublishedDateTime = TestItem.Utc(2024, 7, 1, hour),
        Related = [("Coverage " + hour, $"https://coverage.example/{Unique.Tag()}")],
    };

    [Fact]
    public Task Mark_ready_after_typing_a_score_and_a_topic_keeps_both() => FlowAsync(async () =>
    {
        var topic = "Economy " + Unique.Tag();
        await ImportAsync(Item(1, topic));
        var story = Item(2);
        await ImportAsync(story);
        var id = Fixture.ItemId(story);
        var page = await SignedInPageAsync(Roles.Editor);
        await page.GotoAsync($"{BaseUrl}/Items/Details/{id}");

        await page.Locator("#Input_Quality").FillAsync("90");
        await page.Locator("#Input_Topics").FillAsync(topic);
        await page.Locator(".related-link input[value='Approved']").CheckAsync();
        await page.Locator("#do-MarkReady").ClickAsync();
        await ExpectTextAsync(page, "Marked ready: New → Ready.");

        var item = Factory.WithDb(db => db.Items.Include(i => i.Topics).ThenInclude(t => t.Topic).Single(i => i.Id == id));
        Assert.Equal(WorkflowState.Ready, item.State);
        Assert.Equal(90, item.Quality);
        Assert.Equal([topic], item.Topics.Select(t => t.Topic!.Name));
        Assert.StartsWith("Saved quality 55 → 90", (await page.Locator("#status-message").InnerTextAsync()).Trim());
        Assert.Equal("Ready", await page.Locator("#workflow-state").InnerTextAsync());
        AssertNoScriptRanAndNothingWasBlocked();
    });

    [Fact]
    public Task Triage_from_the_queue_to_ready_and_on_to_the_next_item_takes_one_page_load_after_the_first() => FlowAsync(async () =>
    {
        TestItem[] items = [Item(3), Item(2), Item(1)];
        await ImportAsync(items);
        var page = await SignedInPageAsync(Roles.Editor);
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");
        await page.Locator("#queue tbody tr").First.Locator("a").ClickAsync();
        await AtUrlAsync(page, $"**/Items/Details/{Fixture.ItemId(items[0])}**");
        var loads = 0;
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                loads++;
            }
        };

        await page.Locator("#Input_Quality").FillAsync("80");
        await page.Locator(".related-link input[value='Approved']").CheckAsync();
        await page.Locator("#save-ready-next").ClickAsync();
        await AtUrlAsync(page, $"**/Items/Details/{Fixture.ItemId(items[1])}**");
        await ExpectTextAsync(page, "Marked ready: New → Ready.");

        Assert.Equal(1, loads);
        var first = Factory.WithDb(db => db.Items.Single(i => i.Id == Fixture.ItemId(items[0])));
        Assert.Equal((WorkflowState.Ready, 80), (first.State, first.Quality));
        // Still within the view the editor came from.
        Assert.Contains($"View.Category={_category}", page.Url);
        AssertNoScriptRanAndNothingWasBlocked();
    });

    [Fact]
    public Task Keys_decide_a_link_and_mark_ready_and_the_help_opens_over_the_page_wherever_it_is_scrolled() => FlowAsync(async () =>
    {
        TestItem[] items = [Item(5), Item(4)];
        await ImportAsync(items);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 700 } });
        await page.GotoAsync($"{BaseUrl}/Items/Details/{Fixture.ItemId(items[0])}?View.Category={_category}");

        await page.EvaluateAsync("window.scrollTo(0, document.body.scrollHeight)");
        await page.Keyboard.PressAsync("?");
        var help = page.Locator("#shortcut-help");
        await help.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        var box = (await help.BoundingBoxAsync())!;
        var helpText = await help.InnerTextAsync();
        await page.Keyboard.PressAsync("Escape");
        await help.WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("a");
        await page.Keyboard.PressAsync("Shift+M");
        await AtUrlAsync(page, $"**/Items/Details/{Fixture.ItemId(items[1])}**");

        // Inside the viewport, not at the bottom of a long page.
        Assert.True(box.Y >= 0 && box.Y + box.Height <= 700, $"help at y={box.Y}, height {box.Height}");
        Assert.Contains("save, mark ready and go to the next item", helpText);
        Assert.Equal(WorkflowState.Ready, Factory.WithDb(db => db.Items.Single(i => i.Id == Fixture.ItemId(items[0])).State));
        AssertNoScriptRanAndNothingWasBlocked();
    });
    [Fact]
    public Task Topic_suggestions_follow_the_topic_being_typed_after_a_comma() => FlowAsync(async () =>
    {
        var tag = Unique.Tag();
        string[] topics = [$"Economy {tag}", $"Energy {tag}", $"Space {tag}"];
        await ImportAsync(new TestItem { Title = "Vocabulary " + tag, Topics = topics });
        var story = Item(6);
        await ImportAsync(story);
        var page = await SignedInPageAsync(Roles.Editor);
        await page.GotoAsync($"{BaseUrl}/Items/Details/{Fixture.ItemId(story)}");

        await page.Locator("#Input_Topics").FillAsync($"Economy {tag}, en");
        var options = await page.EvaluateAsync<string[]>("[...document.querySelectorAll('#topic-vocabulary option')].map(o => o.value)");

        // The second topic gets its suggestion, with the first one kept in front of it.
        Assert.Contains($"Economy {tag}, Energy {tag}", options);
        Assert.DoesNotContain(options, o => o.EndsWith($"Space {tag}", StringComparison.Ordinal));
        AssertNoScriptRanAndNothingWasBlocked();
    });
}
