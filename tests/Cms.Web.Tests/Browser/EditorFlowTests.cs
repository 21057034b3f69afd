using Cms.Core.Items;
using Cms.Data;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

public sealed class EditorFlowTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    // A story with an excerpt that tries to run script, and two related links to decide.
    private static TestItem Story() => new()
    {
        Title = "Keyboard story " + Unique.Tag(),
        Category = "news",
        PublishedDateTime = TestItem.Utc(2024, 5, 1, 10),
        Quality = 20,
        Excerpt = "<p>Safe <strong>text</strong></p><script>document.title='pwned'</script>",
        Related = [("Coverage one", "https://one.example/a"), ("Coverage two", "https://two.example/b")],
    };

    [Fact]
    public Task An_editor_sets_quality_topics_and_link_decisions_with_the_keyboard_then_saves_and_goes_to_the_next_item() => FlowAsync(async () =>
    {
        var tag = Unique.Tag();
        // Newer than every other test's story, so it heads the queue where the keyboard starts; the
        // second item, just older, is the next one and brings the topic the editor adds.
        var story = Story() with { PublishedDateTime = DateTimeOffset.UtcNow, Topics = ["Economy " + tag] };
        var following = Story() with { PublishedDateTime = DateTimeOffset.UtcNow.AddMinutes(-1), Topics = ["Markets " + tag] };
        await ImportAsync(story, following);
        var id = Fixture.ItemId(story);
        var page = await SignedInPageAsync(Roles.Editor);

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/Items/Details/{id}**");
        // j/k move between the related links, a approves and r rejects the focused one.
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("r");
        await page.Keyboard.PressAsync("k");
        await page.Keyboard.PressAsync("a");
        foreach (var key in new[] { "7", "5", "Enter" })
        {
            await page.Keyboard.PressAsync(key);
        }
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#Input_Quality").BlurAsync();
        // t focuses the topics box with the cursor after what is there, so typing adds a topic.
        await page.Keyboard.PressAsync("t");
        await page.Keyboard.TypeAsync(", Markets " + tag);
        var topicsTyped = await page.Locator("#Input_Topics").InputValueAsync();
        await page.Locator("#save-next").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/Items/Details/{Fixture.ItemId(following)}**");

        Assert.Equal($"Economy {tag}, Markets {tag}", topicsTyped);
        var item = Factory.WithDb(db => db.Items.Single(i => i.Id == id));
        Assert.Equal(75, item.Quality);
        var decisions = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => l.Decision).ToList());
        Assert.Equal([LinkDecision.Approved, LinkDecision.Rejected], decisions);
        var topics = Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        Assert.Equal(["Economy " + tag, "Markets " + tag], topics);
        Assert.Equal(following.Title, (await page.Locator("h1").InnerTextAsync()).Trim());
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
        AssertNoScriptRanAndNothingWasBlocked();
    });

    [Fact]
    public Task Every_action_works_without_javascript() => FlowAsync(async () =>
    {
        var story = Story();
        await ImportAsync(story);
        var id = Fixture.ItemId(story);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { JavaScriptEnabled = false });

        await page.GetByRole(AriaRole.Link, new() { Name = story.Title }).ClickAsync();
        await page.GetByLabel("Quality (0-100)").FillAsync("64");
        await page.Locator("#link-" + Factory.WithDb(db => db.RelatedLinks.Single(l => l.ItemId == id && l.Position == 1).Id) + "-Rejected").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await ExpectTextAsync(page, "Saved.");

        Assert.Equal(64, Factory.WithDb(db => db.Items.Single(i => i.Id == id).Quality));
        Assert.Equal(LinkDecision.Rejected, Factory.WithDb(db => db.RelatedLinks.Single(l => l.ItemId == id && l.Position == 1).Decision));
    });

    [Theory]
    [InlineData(768, 1024)]
    [InlineData(1920, 1080)]
    public Task Queue_and_item_pages_fit_from_tablet_to_wide_desktop(int width, int height) => FlowAsync(async () =>
    {
        var story = Story();
        await ImportAsync(story);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });

        var queueOverflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        await page.GetByRole(AriaRole.Link, new() { Name = story.Title }).ClickAsync();
        var itemOverflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        var unlabelled = await page.EvaluateAsync<int>(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length");

        Assert.False(queueOverflow);
        Assert.False(itemOverflow);
        Assert.Equal(0, unlabelled);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
}
