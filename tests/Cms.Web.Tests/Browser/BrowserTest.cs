using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// Real Chromium (Debian's, offline) against the app on a real Kestrel port and a throwaway database.
public abstract class BrowserTest : IAsyncLifetime
{
    private string? _database;
    private IPlaywright? _playwright;

    protected CmsFactory Factory { get; private set; } = null!;
    protected IBrowser Browser { get; private set; } = null!;
    protected string BaseUrl { get; private set; } = "";
    protected List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        Factory = new CmsFactory(_database);
        Factory.UseKestrel(0);
        Factory.StartServer();
        BaseUrl = Factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await Factory.DisposeAsync();
        if (_database is not null)
        {
            await TestPostgres.DropDatabaseAsync(_database);
        }
    }

    protected async Task<IPage> SignedInPageAsync(string role, BrowserNewContextOptions? options = null)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, WebTest.Password, role);
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
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
        await page.GetByLabel("Password").FillAsync(WebTest.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(BaseUrl + "/");
        return page;
    }

    // Waits for text on the page; on failure says what the page showed instead.
    // Navigation, failed requests and HTTP errors, for the message when an expectation fails.
    private readonly List<string> _trail = [];

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

    protected async Task ImportAsync(params string[] texts) =>
        Assert.Empty((await Corpus.ImportAsync(Factory.Services, texts)).Problems);
}
