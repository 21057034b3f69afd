using System.Text.RegularExpressions;
using System.Runtime.CompilerServices;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// Base of the browser tests: the class's app and Chromium come from BrowserFixture; each test
// gets fresh browser contexts, closed when it ends. Every page records script dialogs and CSP
// violations (a sign of injected markup), and a test run through FlowAsync leaves a screenshot and
// the HTML of each open page under bin/.../browser-failures/<class>.<test>/ when it fails.
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    // Reports every securitypolicyviolation event of every document to the test (a binding survives navigations).
    private const string CspRecorder = """
        document.addEventListener('securitypolicyviolation', e =>
          window.__cmsCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + e.documentURI + (e.sample ? ' (' + e.sample + ')' : '')));
        """;

    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<IPage> _pages = [];

    // Navigation, failed requests and HTTP errors, for the message when an expectation fails.
    private readonly List<string> _trail = [];

    protected BrowserFixture Fixture => fixture;
    protected CmsFactory Factory => fixture.Factory;
    protected string BaseUrl => fixture.BaseUrl;
    protected List<string> ConsoleErrors { get; } = [];
    protected List<string> Dialogs { get; } = [];
    protected List<string> CspViolations { get; } = [];
    protected List<string> ServerErrors { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    // Runs a test's body; on failure saves what each open page showed, then rethrows.
    protected async Task FlowAsync(Func<Task> body, [CallerMemberName] string test = "")
    {
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            var folder = await SaveFailureAsync(test);
            throw new Xunit.Sdk.XunitException($"{ex.Message}\nscreenshots and HTML: {folder}\n{ex.StackTrace}");
        }
    }

    private async Task<string> SaveFailureAsync(string test)
    {
        var first = Path.Combine(AppContext.BaseDirectory, "browser-failures", $"{GetType().Name}.{test}");
        var folder = first;
        // A theory's cases share the method name: each failing case gets its own folder.
        for (var n = 2; Directory.Exists(folder); n++)
        {
            folder = $"{first}-{n}";
        }
        Directory.CreateDirectory(folder);
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            if (page.IsClosed)
            {
                continue;
            }
            try
            {
                await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"page{i}.png"), FullPage = true, Timeout = 10_000 });
                await File.WriteAllTextAsync(Path.Combine(folder, $"page{i}.html"), $"<!-- {page.Url} -->\n" + await page.ContentAsync());
            }
            catch (PlaywrightException ex)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"page{i}.error.txt"), ex.Message);
            }
        }
        await File.WriteAllLinesAsync(Path.Combine(folder, "trail.txt"), _trail.Concat(ConsoleErrors).Concat(Dialogs).Concat(CspViolations));
        return folder;
    }

    // A page in a new context, with every listener, not signed in.
    protected async Task<IPage> NewPageAsync(BrowserNewContextOptions? options = null)
    {
        var context = await fixture.Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        _contexts.Add(context);
        // A safety net only (every wait is for an event): Playwright's 30 s default was reached by a
        // first page render on a machine whose two cores ran at load 50.
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        await context.ExposeFunctionAsync("__cmsCspViolation", (string violation) => { lock (CspViolations) { CspViolations.Add(violation); } });
        await context.AddInitScriptAsync(CspRecorder);
        var page = await context.NewPageAsync();
        _pages.Add(page);
        page.RequestFailed += (_, request) => _trail.Add($"failed {request.Method} {request.Url}: {request.Failure}");
        page.FrameNavigated += (_, frame) => _trail.Add($"navigated {frame.Url}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                ConsoleErrors.Add($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
            if (response.Status >= 500)
            {
                ServerErrors.Add($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add($"{message.Text} at {message.Location} on {page.Url}");
            }
        };
        // A script dialog means injected script ran: dismiss it so the page goes on, and record it
        // (once dismissed, so a test that saw it recorded knows the page has had its answer).
        page.Dialog += async (_, dialog) =>
        {
            var seen = $"{dialog.Type} '{dialog.Message}' on {page.Url}";
            try
            {
                await dialog.DismissAsync();
            }
            finally
            {
                lock (Dialogs)
                {
                    Dialogs.Add(seen);
                }
            }
        };
        return page;
    }

    protected async Task<IPage> SignedInPageAsync(string role, BrowserNewContextOptions? options = null)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, AppFixture.Password, role);
        var page = await NewPageAsync(options);
        await SignInAsync(page, email, AppFixture.Password);
        try
        {
            // DOMContentLoaded, not load: the queue's load event was seen to stall (its scripts have
            // run by DOMContentLoaded, and every later step waits for what it touches).
            await OnQueueAsync(page, BaseUrl);
        }
        catch (TimeoutException ex)
        {
            // Seen only on a loaded machine: say where the page was and what it loaded.
            // Playwright's whole message: its call log says which wait stalled (the URL or the heading).
            throw new Xunit.Sdk.XunitException($"sign-in did not land on {BaseUrl}/ ({ex.Message}); the page is at {page.Url}\n"
                + "console and network: " + string.Join("\n", _trail.Concat(ConsoleErrors)));
        }
        return page;
    }

    // Waits until the page shows the queue at baseUrl/: its heading (only the queue has it), then
    // its URL (AtUrlAsync, no load state).
    public static async Task OnQueueAsync(IPage page, string baseUrl)
    {
        await page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }).WaitForAsync();
        await AtUrlAsync(page, baseUrl + "/");
    }

    // Waits until the page's URL matches a Playwright glob ("**" any text, "*" any but "/") or a
    // pattern, by polling the URL. Not WaitForURLAsync: once the URL matches it also waits for the
    // page's load event (whatever WaitUntil says), and that event was seen never to reach Playwright
    // on a page that had loaded (CI runs 23, 28 and 32: 120 s, the call log showing only
    // '"NetworkIdle" event fired').
    public static Task AtUrlAsync(IPage page, string glob) => AtUrlAsync(page, new Regex(
        "^" + Regex.Escape(glob).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace("\u0001", ".*", StringComparison.Ordinal) + "$"));

    public static Task AtUrlAsync(IPage page, Regex url) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = 120_000 });

    // Fills and sends the sign-in form the app shows to a signed-out visitor.
    protected async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync(BaseUrl + "/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    // Waits until a dialog the listener above dismissed matches (an event, not a pause).
    protected Task DialogDismissedAsync(Func<string, bool> match, string what) =>
        Eventually.HappensAsync(() =>
        {
            lock (Dialogs)
            {
                return Dialogs.Any(match);
            }
        }, what);

    // Waits for text on the page (Playwright's default 30 s as a safety net); on failure says what
    // the page showed instead.
    protected async Task ExpectTextAsync(IPage page, string text)
    {
        try
        {
            await page.GetByText(text).First.WaitForAsync();
        }
        catch (TimeoutException)
        {
            var shown = await page.InnerTextAsync("body") + "\nconsole and network: " + string.Join("\n", _trail.Concat(ConsoleErrors));
            throw new Xunit.Sdk.XunitException($"'{text}' did not appear on {page.Url}; the page showed:\n{shown[..Math.Min(shown.Length, 3000)]}");
        }
    }

    // No injected script ran, the CSP blocked nothing and the server answered no 5xx.
    protected void AssertNoScriptRanAndNothingWasBlocked()
    {
        Assert.True(Dialogs.Count == 0, "dialogs opened:\n" + string.Join("\n", Dialogs));
        Assert.True(CspViolations.Count == 0, "CSP violations:\n" + string.Join("\n", CspViolations));
        Assert.True(ServerErrors.Count == 0, string.Join("\n", ServerErrors));
        var refused = ConsoleErrors.Where(e => e.Contains("Refused to", StringComparison.Ordinal)).ToList();
        Assert.True(refused.Count == 0, string.Join("\n", refused));
    }

    protected Task ImportAsync(params TestItem[] items) => fixture.ImportAsync(items);
}
