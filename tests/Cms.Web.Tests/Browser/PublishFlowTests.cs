using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

public sealed class PublishFlowTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task An_editor_marks_ready_a_publisher_publishes_the_file_appears_and_the_history_shows_both_steps() => FlowAsync(async () =>
    {
        var story = new TestItem
        {
            Title = "Publish flow " + Unique.Tag(),
            PublishedDateTime = DateTimeOffset.UtcNow,
            Related = [("Coverage one", "https://one.example/a"), ("Coverage two", "https://two.example/b")],
        };
        await ImportAsync(story);
        var id = Fixture.ItemId(story);

        var editor = await SignedInPageAsync(Roles.Editor);
        await editor.GotoAsync($"{BaseUrl}/Items/Details/{id}");
        // Links first: mark ready waits for every related link to be decided (in the form is enough).
        Assert.StartsWith("Decide every related link first (2 still pending).", await editor.Locator("#why-MarkReady").InnerTextAsync());
        await editor.GetByRole(AriaRole.Button, new() { Name = "Approve all links and save" }).ClickAsync();
        await ExpectTextAsync(editor, "Saved.");
        await editor.Locator("#do-MarkReady").ClickAsync();
        await ExpectTextAsync(editor, "Marked ready: New → Ready.");
        Assert.Equal("Ready", await editor.Locator("#workflow-state").InnerTextAsync());
        Assert.Equal(0, await editor.Locator("#do-Publish").CountAsync());

        var publisher = await SignedInPageAsync(Roles.Publisher);
        await publisher.GotoAsync($"{BaseUrl}/Items/Details/{id}");
        await publisher.Locator("#do-Publish").ClickAsync();
        await ExpectTextAsync(publisher, "Published: Ready → Published.");

        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).FileName));
        await Eventually.HappensAsync(() => File.Exists(file), $"the worker writing {file}");
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("published: true", text);
        Assert.Contains("https://one.example/a", text);

        await Eventually.HappensAsync(() => Factory.WithDb(db => db.PublishJobs.Any(j => j.ItemId == id && j.Status == Cms.Data.Entities.PublishJobStatus.Done)), "the publish job being done");
        await publisher.ReloadAsync();
        var steps = publisher.Locator("#history li[data-action='item.state-changed']");
        Assert.Equal(2, await steps.CountAsync());
        // Newest first: the publication, then the mark-ready, each with its actor and before/after.
        var published = steps.Nth(0);
        Assert.Equal("Publish", await published.Locator(".history-label").InnerTextAsync());
        Assert.StartsWith("publisher-", await published.Locator(".history-actor").InnerTextAsync());
        Assert.Equal("Ready", await published.Locator("tr[data-field='state'] td.before").InnerTextAsync());
        Assert.Equal("Published", await published.Locator("tr[data-field='state'] td.after").InnerTextAsync());
        var marked = steps.Nth(1);
        Assert.Equal("Mark ready", await marked.Locator(".history-label").InnerTextAsync());
        Assert.StartsWith("editor-", await marked.Locator(".history-actor").InnerTextAsync());
        Assert.Equal("New", await marked.Locator("tr[data-field='state'] td.before").InnerTextAsync());
        Assert.Equal("Ready", await marked.Locator("tr[data-field='state'] td.after").InnerTextAsync());
        await ExpectTextAsync(publisher, "Output written");
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
}
