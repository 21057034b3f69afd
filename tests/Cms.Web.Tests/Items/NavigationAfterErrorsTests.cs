using System.Net;
using System.Text.RegularExpressions;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Items;

// Next/previous belong to the page however it is rendered, not only to a plain GET.
public sealed partial class NavigationAfterErrorsTests : WebTest
{
    private const string View = "?View.Category=nav";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ImportTextsAsync(
            "---\ntitle: First\noriginalUrl: \"https://nav.example/1\"\ncategory: nav\npublishedDateTime: 2024-01-03T00:00:00Z\n---\n",
            "---\ntitle: Middle\noriginalUrl: \"https://nav.example/2\"\ncategory: nav\npublishedDateTime: 2024-01-02T00:00:00Z\n---\n",
            "---\ntitle: Last\noriginalUrl: \"https://nav.example/3\"\ncategory: nav\npublishedDateTime: 2024-01-01T00:00:00Z\n---\n");
    }

    [GeneratedRegex("""name="Input.Version" value="(\d+)""")]
    private static partial Regex VersionField();

    private async Task<HttpResponseMessage> SaveAsync(HttpClient client, string page, string quality, string? version = null)
    {
        var middle = ItemId("Middle");
        return await client.PostAsync($"/Items/Details/{middle}{View}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Input.Version"] = version ?? VersionField().Match(page).Groups[1].Value,
            ["Input.Quality"] = quality,
            ["Input.Category"] = "nav",
        }));
    }

    private void AssertNeighbours(string html)
    {
        Assert.Contains($"href=\"/Items/Details/{ItemId("First")}{View}\" id=\"previous-item\"", html);
        Assert.Contains($"href=\"/Items/Details/{ItemId("Last")}{View}\" id=\"next-item\"", html);
    }

    [Fact]
    public async Task Previous_and_next_survive_a_validation_error()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var page = await editor.GetStringAsync($"/Items/Details/{ItemId("Middle")}{View}");

        var response = await SaveAsync(editor, page, quality: "500");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Quality must be a whole number from 0 to 100.", html);
        AssertNeighbours(html);
    }

    [Fact]
    public async Task Previous_and_next_survive_a_conflict()
    {
        var first = await SignedInAsync(Roles.Editor);
        var second = await SignedInAsync(Roles.Editor);
        var seenByFirst = await first.GetStringAsync($"/Items/Details/{ItemId("Middle")}{View}");
        var seenBySecond = await second.GetStringAsync($"/Items/Details/{ItemId("Middle")}{View}");
        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync(first, seenByFirst, quality: "11")).StatusCode);

        var response = await SaveAsync(second, seenBySecond, quality: "22");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        AssertNeighbours(await response.Content.ReadAsStringAsync());
    }
}
