using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Hostile;

// The queue view comes from the URL: every value is checked before a query runs.
public sealed class QueryValidationTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("/?View.Sort=quality&View.After=99999999999_1", "This page link is not valid")]
    [InlineData("/?View.After=-99999999999999999_1", "This page link is not valid")]
    [InlineData("/?View.Sort=heat&View.After=2147483648_5", "This page link is not valid")]
    [InlineData("/?View.After=3155378976000000001_1", "This page link is not valid")]
    [InlineData("/?View.Q=a%00b", "Search contains a control character")]
    [InlineData("/?View.Provider=%00", "Provider contains a control character")]
    [InlineData("/?View.Category=x%00", "Category contains a control character")]
    [InlineData("/?View.Topic=%00", "Topic contains a control character")]
    [InlineData("/?View.To=9999-12-31", "Choose a date before the year 9999 ends")]
    [InlineData("/?View.Sort=random", "Sort by date, quality or heat")]
    [InlineData("/?View.TopicMode=none", "Topic match is any or all")]
    public async Task A_hostile_queue_link_gets_a_validation_message_not_a_500(string url, string message)
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await editor.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_search_of_7000_dashes_or_an_over_long_search_gets_an_answer_not_a_500()
    {
        var editor = await SignedInAsync(Roles.Editor);

        var dashes = await editor.GetAsync("/?View.Q=" + new string('-', 7000));
        var spaced = await editor.GetAsync("/?View.Q=" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("- ", 99)) + "b"));

        Assert.Equal(HttpStatusCode.OK, dashes.StatusCode);
        Assert.Contains("Search may be at most 200 characters", await dashes.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, spaced.StatusCode);
        Assert.DoesNotContain("validation-summary-errors", await spaced.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_hostile_view_on_the_item_page_is_a_400()
    {
        var item = new TestItem();
        await ImportAsync(item);
        var editor = await SignedInAsync(Roles.Editor);

        var cursor = await editor.GetAsync($"/Items/Details/{ItemId(item)}?View.Sort=quality&View.After=99999999999_1");
        var nul = await editor.GetAsync($"/Items/Details/{ItemId(item)}?View.Q=%00");

        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/Items/Details/{ItemId(item)}?View.Sort=quality")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, cursor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
    }

    [Fact]
    public async Task Images_load_over_https_only_and_compose_refuses_to_start_without_a_database_password()
    {
        var response = await Factory.Browser().GetAsync("/Account/Login");

        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("img-src 'self' https:;", csp);
        Assert.DoesNotContain("http:", csp.Replace("https:", ""));
        Assert.DoesNotContain("data:", csp);
        var compose = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "docker-compose.yml"));
        Assert.DoesNotContain("change-me", compose);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(compose, @"\$\{CMS_DB_PASSWORD:\?[^}]+\}").Count);
        Assert.DoesNotContain("CMS_DB_PASSWORD:-", compose);
    }
}
