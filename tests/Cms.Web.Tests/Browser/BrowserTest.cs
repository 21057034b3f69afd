using Cms.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// Base of the browser tests: the class's app and Chromium come from BrowserFixture; each test
// gets fresh browser contexts, closed when it ends.
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    // Navigation, failed requests and HTTP errors, for the message when an expectation fails.
    private readonly List<string> _trail = [];

    protected BrowserFixture Fixture => fixture;
    protected CmsFactory Factory => fixture.Factory;
    protected string BaseUrl => fixture.BaseUrl;
    protected List<string> ConsoleErrors { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    protected async Task<IPage> SignedInPageAsync(string role, BrowserNewContextOptions? options = null)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, AppFixture.Password, role);
        var context = await fixture.Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.RequestFailed += (_, request) => _trail.Add($"failed {request.Method} {request.Url}: {request.Failure}");
        page.FrameNavigated += (_, frame) => _trail.Add($"navigated {frame.Url}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                ConsoleErrors.Add($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add($"{message.Text} at {message.Location} on {page.Url}");
            }
        };
        await page.GotoAsync(BaseUrl + "/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AppFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(BaseUrl + "/");
        }
        catch (TimeoutException ex)
        {
            // Seen only on a loaded machine: say where the page was and what it loaded.
            throw new Xunit.Sdk.XunitException($"sign-in did not land on {BaseUrl}/ ({ex.Message.Split('\n')[0]}); the page is at {page.Url}\n"
                + "console and network: " + string.Join("\n", _trail.Concat(ConsoleErrors)));
        }
        return page;
    }

    // Waits for text on the page; on failure says what the page showed instead.
    protected async Task ExpectTextAsync(IPage page, string text)
    {
        try
        {
            await page.GetByText(text).First.WaitForAsync(new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            var shown = await page.InnerTextAsync("body") + "\nconsole and network: " + string.Join("\n", _trail.Concat(ConsoleErrors));
            throw new Xunit.Sdk.XunitException($"'{text}' did not appear on {page.Url}; the page showed:\n{shown[..Math.Min(shown.Length, 3000)]}");
        }
    }

    protected Task ImportAsync(params TestItem[] items) => fixture.ImportAsync(items);
}
