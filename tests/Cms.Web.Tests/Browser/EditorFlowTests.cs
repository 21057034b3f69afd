using Cms.Core.Items;
using Cms.Data;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

public sealed class EditorFlowTests : BrowserTest
{
    private const string Story = """
        ---
        title: "Keyboard story"
        originalUrl: "https://news.example/keyboard"
        category: news
        publishedDateTime: 2024-05-01T10:00:00Z
        quality: 20
        excerpt: "<p>Safe <strong>text</strong></p><script>document.title='pwned'</script>"
        related:
          - title: "Coverage one"
            webUrl: "https://one.example/a"
          - title: "Coverage two"
            webUrl: "https://two.example/b"
        ---
        """;

    [Fact]
    public async Task An_editor_reviews_an_item_with_the_keyboard_and_saves()
    {
        await ImportAsync(Story);
        var page = await SignedInPageAsync(Roles.Editor);

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/Items/Details/**");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("a");
        foreach (var key in new[] { "7", "5", "Enter" })
        {
            await page.Keyboard.PressAsync(key);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await ExpectTextAsync(page, "Saved.");

        var item = Factory.WithDb(db => db.Items.Single());
        Assert.Equal(75, item.Quality);
        var decisions = Factory.WithDb(db => db.RelatedLinks.OrderBy(l => l.Position).Select(l => l.Decision).ToList());
        Assert.Equal([LinkDecision.Approved, LinkDecision.Pending], decisions);
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    }

    [Fact]
    public async Task Every_action_works_without_javascript()
    {
        await ImportAsync(Story);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { JavaScriptEnabled = false });

        await page.GetByRole(AriaRole.Link, new() { Name = "Keyboard story" }).ClickAsync();
        await page.GetByLabel("Quality (0-100)").FillAsync("64");
        await page.Locator("#link-" + Factory.WithDb(db => db.RelatedLinks.Single(l => l.Position == 1).Id) + "-Rejected").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await ExpectTextAsync(page, "Saved.");

        Assert.Equal(64, Factory.WithDb(db => db.Items.Single().Quality));
        Assert.Equal(LinkDecision.Rejected, Factory.WithDb(db => db.RelatedLinks.Single(l => l.Position == 1).Decision));
    }

    [Theory]
    [InlineData(768, 1024)]
    [InlineData(1920, 1080)]
    public async Task Queue_and_item_pages_fit_from_tablet_to_wide_desktop(int width, int height)
    {
        await ImportAsync(Story);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });

        var queueOverflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        await page.GetByRole(AriaRole.Link, new() { Name = "Keyboard story" }).ClickAsync();
        var itemOverflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        var unlabelled = await page.EvaluateAsync<int>(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length");

        Assert.False(queueOverflow);
        Assert.False(itemOverflow);
        Assert.Equal(0, unlabelled);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    }
}
