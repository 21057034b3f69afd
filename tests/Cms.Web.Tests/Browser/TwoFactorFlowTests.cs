using Cms.Web.Tests.Accounts;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// With Security:RequireTwoFactorForAdmins on, as outside Development.
public sealed class TwoFactorBrowserFixture : BrowserFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Security:RequireTwoFactorForAdmins"] = "true" };
}

// Two-factor sign-in in Chromium; codes are computed from the key the page shows, as an app would.
public sealed class TwoFactorFlowTests(TwoFactorBrowserFixture fixture) : IClassFixture<TwoFactorBrowserFixture>, IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    private string BaseUrl => fixture.BaseUrl;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await fixture.Browser.NewContextAsync();
        _contexts.Add(context);
        // A safety net only, as BrowserTest's: the first sign-in of this class once took over
        // Playwright's 30 s default while the suite's other hosts started beside it.
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        return await context.NewPageAsync();
    }

    private async Task<string> UserAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await fixture.Factory.CreateUserAsync(email, AppFixture.Password, role);
        return email;
    }

    private async Task PasswordAsync(IPage page, string email)
    {
        await page.GotoAsync(BaseUrl + "/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AppFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    // Sets up the authenticator on the page it is on; returns the key and the recovery codes.
    private static async Task<(string Key, List<string> RecoveryCodes)> EnrolAsync(IPage page)
    {
        Assert.True(await page.Locator("#qr-code svg").IsVisibleAsync(), "the QR code is drawn");
        var key = Authenticator.Normalize(await page.Locator("#shared-key").InnerTextAsync());
        await page.GetByLabel("Code from the app").FillAsync(Authenticator.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and turn on" }).ClickAsync();
        await BrowserTest.AtUrlAsync(page, "**/Account/Manage/ShowRecoveryCodes");
        var codes = (await page.Locator("#recovery-codes li").AllInnerTextsAsync()).ToList();
        return (key, codes);
    }

    private async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync(BaseUrl + "/Account/Manage");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await BrowserTest.AtUrlAsync(page, "**/Account/Login");
    }

    [Fact]
    public async Task An_editor_sets_up_an_authenticator_and_then_signs_in_with_a_code()
    {
        var email = await UserAsync(Roles.Editor);
        var page = await NewPageAsync();
        await PasswordAsync(page, email);
        await BrowserTest.OnQueueAsync(page, BaseUrl);
        await page.GotoAsync(BaseUrl + "/Account/Manage/EnableAuthenticator");

        var (key, codes) = await EnrolAsync(page);
        await SignOutAsync(page);
        await PasswordAsync(page, email);
        await BrowserTest.AtUrlAsync(page, "**/Account/LoginWith2fa**");
        await page.GetByLabel("Authenticator code").FillAsync(Authenticator.NextCode(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

        await BrowserTest.OnQueueAsync(page, BaseUrl);
        Assert.Equal(10, codes.Count);
        Assert.Contains("Review queue", await page.ContentAsync());
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_is_then_used_up()
    {
        var email = await UserAsync(Roles.Publisher);
        var page = await NewPageAsync();
        await PasswordAsync(page, email);
        await BrowserTest.OnQueueAsync(page, BaseUrl);
        await page.GotoAsync(BaseUrl + "/Account/Manage/EnableAuthenticator");
        var (_, codes) = await EnrolAsync(page);
        await SignOutAsync(page);

        async Task UseRecoveryCodeAsync()
        {
            await PasswordAsync(page, email);
            await BrowserTest.AtUrlAsync(page, "**/Account/LoginWith2fa**");
            await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with a recovery code" }).ClickAsync();
            await page.GetByLabel("Recovery code").FillAsync(codes[3]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        }

        await UseRecoveryCodeAsync();
        await BrowserTest.OnQueueAsync(page, BaseUrl);
        await page.GotoAsync(BaseUrl + "/Account/Manage");
        Assert.Contains("9 recovery codes left", await page.InnerTextAsync("main"));
        await SignOutAsync(page);
        await UseRecoveryCodeAsync();

        await page.GetByText("Invalid recovery code.").WaitForAsync();
        Assert.Contains("/Account/LoginWithRecoveryCode", page.Url);
    }

    [Fact]
    public async Task An_admin_without_two_factor_is_sent_to_set_it_up_before_anything_else()
    {
        var email = await UserAsync(Roles.Admin);
        var page = await NewPageAsync();
        await PasswordAsync(page, email);

        await BrowserTest.AtUrlAsync(page, "**/Account/Manage/EnableAuthenticator");
        Assert.Contains("Admins sign in with two factors", await page.InnerTextAsync("main"));
        await page.GotoAsync(BaseUrl + "/Admin/Users");
        Assert.EndsWith("/Account/Manage/EnableAuthenticator", page.Url);
        await page.GotoAsync(BaseUrl + "/Topics");
        Assert.EndsWith("/Account/Manage/EnableAuthenticator", page.Url);

        await EnrolAsync(page);
        await page.GotoAsync(BaseUrl + "/Admin/Users");

        Assert.EndsWith("/Admin/Users", page.Url);
        var rows = Html.Parse(await page.ContentAsync()).QuerySelectorAll("tbody tr").Select(r => r.Cells()).ToList();
        // Email, roles, last sign-in (some time), status, two-factor.
        Assert.Contains(rows, r => r[0] == email && r[1] == "Admin" && r[2].Length > 0 && r[3] == "active" && r[4] == "on");
    }
}
