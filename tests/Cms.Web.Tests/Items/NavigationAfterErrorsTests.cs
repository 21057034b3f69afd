using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Items;

// Next/previous belong to the page however it is rendered, not only to a plain GET.
public sealed class NavigationAfterErrorsTests(NavigationAfterErrorsTests.ThreeItems app)
    : WebTest(app), IClassFixture<NavigationAfterErrorsTests.ThreeItems>
{
    public sealed class ThreeItems : AppFixture
    {
        public string Category { get; } = "nav" + Unique.Tag();
        public TestItem First { get; private set; } = null!;
        public TestItem Middle { get; private set; } = null!;
        public TestItem Last { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            First = new TestItem { Category = Category, PublishedDateTime = TestItem.Utc(2024, 1, 3) };
            Middle = new TestItem { Category = Category, PublishedDateTime = TestItem.Utc(2024, 1, 2) };
            Last = new TestItem { Category = Category, PublishedDateTime = TestItem.Utc(2024, 1, 1) };
            await ImportAsync(First, Middle, Last);
        }
    }

    private string View => $"?View.Category={app.Category}";

    private Task<HttpResponseMessage> SaveAsync(HttpClient client, string page, string quality) =>
        client.PostAsync($"/Items/Details/{ItemId(app.Middle)}{View}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(page),
            ["Input.Version"] = Html.Field(page, "Input.Version"),
            ["Input.Quality"] = quality,
            ["Input.Category"] = app.Category,
        }));

    private void AssertNeighbours(string html)
    {
        Assert.Equal($"/Items/Details/{ItemId(app.First)}{View}", Html.Href(html, "previous-item"));
        Assert.Equal($"/Items/Details/{ItemId(app.Last)}{View}", Html.Href(html, "next-item"));
    }

    [Fact]
    public async Task Previous_and_next_survive_a_validation_error()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var page = await editor.GetStringAsync($"/Items/Details/{ItemId(app.Middle)}{View}");

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
        var seenByFirst = await first.GetStringAsync($"/Items/Details/{ItemId(app.Middle)}{View}");
        var seenBySecond = await second.GetStringAsync($"/Items/Details/{ItemId(app.Middle)}{View}");
        Assert.Equal(HttpStatusCode.Redirect, (await SaveAsync(first, seenByFirst, quality: "11")).StatusCode);

        var response = await SaveAsync(second, seenBySecond, quality: "22");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        AssertNeighbours(await response.Content.ReadAsStringAsync());
    }
}
