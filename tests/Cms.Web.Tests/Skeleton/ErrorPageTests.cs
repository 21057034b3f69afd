using System.Net;
using System.Security.Claims;
using Cms.Data.Entities;
using Cms.Web.Infrastructure;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Skeleton;

// Errors render inside the app's layout with a way back; topic names are checked, never a 500.
public sealed class ErrorPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private static void AssertInsideTheLayout(string html)
    {
        var page = Html.Parse(html);
        var brand = page.One("a.navbar-brand");
        Assert.Equal(("/", "Cms"), (brand.GetAttribute("href"), brand.TextContent));
        var back = page.One("a#back-to-queue");
        Assert.Equal(("/", "Back to the queue"), (back.GetAttribute("href"), back.TextContent));
    }

    [Theory]
    [InlineData("/Items/Details/999999999")]
    [InlineData("/no/such/page")]
    public async Task An_unknown_item_or_address_is_a_404_page_with_the_app_header_and_a_way_back(string url)
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await editor.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        AssertInsideTheLayout(html);
        Assert.Contains("Not found", html);
        Assert.Contains(Html.Parse(html).QuerySelectorAll("code.text-break"), c => c.TextContent == url);
    }

    [Fact]
    public async Task A_page_the_account_may_not_use_shows_access_denied_with_the_app_header_and_a_way_back()
    {
        var editor = await SignedInAsync(Roles.Editor);

        var response = await editor.GetAsync("/Topics");
        var denied = await editor.GetAsync(response.Headers.Location!.PathAndQuery);
        var html = await denied.Content.ReadAsStringAsync();

        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
        // The page a refusal lands on answers 403, as the refusal is.
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.StatusCode);
        AssertInsideTheLayout(html);
        Assert.Contains("Access denied", html);
    }

    // A service that fails the way a bug would: the item page reads it on GET, sign-in on POST.
    private sealed class Broken : IExcerptSanitizer, IUserClaimsPrincipalFactory<CmsUser>
    {
        public Microsoft.AspNetCore.Html.IHtmlContent Render(string? html) => throw new InvalidOperationException("broken on purpose");

        public Task<ClaimsPrincipal> CreateAsync(CmsUser user) => throw new InvalidOperationException("broken on purpose");
    }

    [Fact]
    public async Task The_error_page_shows_the_request_id_after_a_failed_get_and_a_failed_post()
    {
        var story = new TestItem { Excerpt = "<p>text</p>" };
        await ImportAsync(story);
        var email = $"editor-{_tag}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        await using var broken = Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<IExcerptSanitizer, Broken>();
            s.AddScoped<IUserClaimsPrincipalFactory<CmsUser>, Broken>();
        }));
        var client = broken.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var cookie = await Http.SignInForCookieAsync(Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }), email, Password);

        var post = await Http.SignInAsync(client, email, Password);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/Items/Details/{ItemId(story)}");
        request.Headers.Add("Cookie", cookie);
        var failedGet = await broken.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request);

        foreach (var response in new[] { post, failedGet })
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("Something went wrong.", html);
            Assert.False(string.IsNullOrWhiteSpace(Html.Parse(html).One("code#request-id").TextContent));
        }
    }

    [Theory]
    [InlineData("Create", "")]
    [InlineData("Create", "   ")]
    [InlineData("Create", "\u200B")]
    [InlineData("Create", "DUPLICATE")]
    [InlineData("Rename", "   ")]
    [InlineData("Rename", "")]
    [InlineData("Rename", "duplicate")]
    public async Task A_blank_invisible_or_duplicate_topic_name_gets_a_validation_message_not_a_500(string form, string name)
    {
        var existing = "Existing " + _tag;
        var duplicate = "Duplicate " + _tag;
        await ImportAsync(new TestItem { Topics = [existing, duplicate] });
        var publisher = await SignedInAsync(Roles.Publisher);
        var topicId = Factory.WithDb(db => db.Topics.Single(t => t.Name == existing).Id);
        var typed = name.Replace("DUPLICATE", duplicate.ToUpperInvariant()).Replace("duplicate", duplicate.ToLowerInvariant());
        var fields = form == "Create"
            ? new Dictionary<string, string> { ["Create.Name"] = typed }
            : new Dictionary<string, string> { ["Rename.Id"] = topicId.ToString(), ["Rename.Name"] = typed };

        var response = await Http.PostFormAsync(publisher, "/Topics", fields, $"/Topics?handler={form}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("alert alert-danger", html);
        Assert.Matches("(is required|must not be empty|invisible|already exists)", html);
        Assert.Equal(existing, Factory.WithDb(db => db.Topics.Single(t => t.Id == topicId).Name));
    }
}
