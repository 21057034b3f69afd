using Cms.Web.Tests.Infrastructure;
using Cms.Web.Pages.Account;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// The editor's day in Chromium, one test per flow: signing in, finding items in the queue with
// combined filters and the keyboard, and the admin pages an Editor may not enter.
public sealed class EditorDayFlowTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task Sign_in_lands_on_the_queue_and_a_wrong_password_or_an_unknown_account_get_the_same_message() => FlowAsync(async () =>
    {
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, AppFixture.Password, Roles.Editor);
        // An item of its own: an empty queue shows no table, and the test must not rely on another
        // test of the class having imported first (it failed when run alone).
        await ImportAsync(new TestItem { Title = $"Sign-in lands here {Unique.Tag()}" });
        var page = await NewPageAsync();

        await SignInAsync(page, email, "not the password");
        await ExpectTextAsync(page, LoginModel.FailureMessage);
        var wrongPassword = await page.Locator("form .alert-danger").InnerTextAsync();
        var stillOnLogin = page.Url;
        await SignInAsync(page, $"nobody-{Guid.NewGuid():N}@example.com", "not the password");
        await ExpectTextAsync(page, LoginModel.FailureMessage);
        var unknownAccount = await page.Locator("form .alert-danger").InnerTextAsync();
        var emailKept = await page.GetByLabel("Email").InputValueAsync();
        await SignInAsync(page, email, AppFixture.Password);
        await OnQueueAsync(page, BaseUrl);

        Assert.Contains("/Account/Login", stillOnLogin);
        Assert.Equal(LoginModel.FailureMessage, wrongPassword.Trim());
        // The same words whether or not the account exists: the message tells an attacker nothing.
        Assert.Equal(wrongPassword, unknownAccount);
        Assert.StartsWith("nobody-", emailKept);
        Assert.True(await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByText(email).IsVisibleAsync());
        Assert.True(await page.Locator("#queue").IsVisibleAsync());
        AssertNoScriptRanAndNothingWasBlocked();
    });

    [Fact]
    public Task An_editor_filters_by_topic_quality_and_a_russian_prefix_then_opens_the_first_item_and_moves_with_j_and_k() => FlowAsync(async () =>
    {
        var topic = "Europe " + Unique.Tag();
        TestItem Item(string title, int quality, int hour, string? itemTopic = null) => new()
        {
            Title = $"{title} {Unique.Tag()}",
            Quality = quality,
            Topics = [itemTopic ?? topic],
            PublishedDateTime = TestItem.Utc(2024, 6, 1, hour),
            RelatedCount = 1,
        };
        var newest = Item("Германия повышает пошлины на сталь", 70, 12);
        var older = Item("Правительство Германии обсуждает бюджет", 60, 11);
        var oldest = Item("Германия и Франция подписали соглашение", 90, 10);
        var lowQuality = Item("Германия закрывает угольные шахты", 20, 13);
        var otherCountry = Item("Франция повышает пошлины на сталь", 80, 14);
        var otherTopic = Item("Германия повышает налоги", 80, 15, "Other " + Unique.Tag());
        await ImportAsync(newest, older, oldest, lowQuality, otherCountry, otherTopic);
        var page = await SignedInPageAsync(Roles.Editor);

        await page.GetByLabel("Search title and excerpt").FillAsync("Герман");
        await page.Locator("#topic").FillAsync(topic);
        await page.Locator("#qmin").FillAsync("50");
        await page.GetByLabel("Quality to").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await AtUrlAsync(page, "**View.Q=**");
        var titles = await page.Locator("#queue tbody tr td:nth-child(2) a").AllInnerTextsAsync();

        // j moves down the rows, k back up; Enter opens the focused row's item.
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        var third = await page.EvaluateAsync<string>("document.activeElement.textContent.trim()");
        await page.Keyboard.PressAsync("k");
        await page.Keyboard.PressAsync("k");
        var first = await page.EvaluateAsync<string>("document.activeElement.textContent.trim()");
        await page.Keyboard.PressAsync("Enter");
        await AtUrlAsync(page, "**/Items/Details/**");
        var heading = await page.Locator("h1").InnerTextAsync();
        // The item page keeps the filtered view: Next is the second row, Previous absent on the first.
        await page.Locator("#next-item").ClickAsync();
        await AtUrlAsync(page, $"**/Items/Details/{Fixture.ItemId(older)}**");
        var secondHeading = await page.Locator("h1").InnerTextAsync();

        // The inflected form ("Германии") and the nominative ("Германия") both match the prefix.
        Assert.Equal([newest.Title, older.Title, oldest.Title], titles.Select(t => t.Trim()));
        Assert.Equal(oldest.Title, third);
        Assert.Equal(newest.Title, first);
        Assert.Equal(newest.Title, heading.Trim());
        Assert.Equal(older.Title, secondHeading.Trim());
        Assert.Contains("View.Q=", page.Url);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
        AssertNoScriptRanAndNothingWasBlocked();
    });

    [Theory]
    [InlineData("/Admin/Users")]
    [InlineData("/Topics")]
    [InlineData("/Audit")]
    public Task An_editor_gets_the_apps_access_denied_page_for_an_admin_page(string path) => FlowAsync(async () =>
    {
        var page = await SignedInPageAsync(Roles.Editor);
        var menu = await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).InnerTextAsync();

        var response = await page.GotoAsync(BaseUrl + path);
        var heading = await page.Locator("h1").InnerTextAsync();
        var body = await page.InnerTextAsync("main, body");
        // Inside the app's layout (its main menu).
        var inLayout = await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).IsVisibleAsync();
        await page.Locator("#back-to-queue").ClickAsync();
        await OnQueueAsync(page, BaseUrl);

        Assert.DoesNotContain("Users", menu);
        Assert.DoesNotContain("Audit", menu);
        Assert.Equal(403, response!.Status);
        Assert.Equal("Access denied", heading.Trim());
        Assert.True(inLayout, "the access-denied page has the app's main menu");
        Assert.DoesNotContain("Add a user", body);
        Assert.DoesNotContain("New topic", body);
        AssertNoScriptRanAndNothingWasBlocked();
    });
}
