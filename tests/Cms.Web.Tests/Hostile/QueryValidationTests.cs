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
    [InlineData("/?View.To=9999-12-31", "Choose a date before the year 9999 ends")]
    [InlineData("/?View.Sort=random", "Sort by date, received, quality or heat")]
    [InlineData("/?View.TopicMode=none", "Topic match is any or all")]
    public async Task A_hostile_queue_link_gets_a_validation_message_not_a_500(string url, string message)
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await editor.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    // A NUL is refused before any page runs (PostgreSQL text cannot hold one): a 400 naming the field.
    [Theory]
    [InlineData("/?View.Q=a%00b", "View.Q")]
    [InlineData("/?View.Provider=%00", "View.Provider")]
    [InlineData("/?View.Category=x%00", "View.Category")]
    [InlineData("/?View.Topic=%00", "View.Topic")]
    [InlineData("/Admin/Users/Disable?Id=%00", "Id")]
    [InlineData("/Audit?Filter.Actor=a%00", "Filter.Actor")]
    public async Task A_nul_in_any_query_value_gets_a_400_naming_the_field(string url, string field)
    {
        var admin = await SignedInAsync(Roles.Admin);

        var response = await admin.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"{field} contains a NUL character (U+0000), which no field accepts.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_nul_in_a_sign_in_form_gets_a_400_not_a_500()
    {
        using var anonymous = Factory.Browser();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "a\0b@example.com", ["Input.Password"] = "x" });

        var response = await anonymous.PostAsync("/Account/Login", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NUL character", await response.Content.ReadAsStringAsync());
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
        // Every database password is required: the superuser's, the owner's and the app's.
        var passwords = System.Text.RegularExpressions.Regex.Matches(compose, @"\$\{(CMS_DB_[A-Z_]*PASSWORD)([^}]*)\}");
        Assert.Equal(["CMS_DB_OWNER_PASSWORD", "CMS_DB_PASSWORD", "CMS_DB_SUPERUSER_PASSWORD"], passwords.Select(m => m.Groups[1].Value).Distinct().Order());
        Assert.All(passwords, m => Assert.StartsWith(":?", m.Groups[2].Value));
    }
}
