using System.Net;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Accounts;

// Every Razor page and handler, found in the app's own endpoint data, against every kind of
// visitor. A page or handler without a row here fails the test: adding a page means deciding who
// may use it. Rows are "METHOD /Page[?handler=Name]".
public sealed class AuthorizationMatrixTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    public enum Access
    {
        Anyone,
        SignedIn,
        Publishers,
        Admins,
    }

    private static readonly Dictionary<string, Access> Expected = new(StringComparer.Ordinal)
    {
        ["GET /Index"] = Access.SignedIn,
        ["POST /Index?handler=Bulk"] = Access.SignedIn,
        ["POST /Index?handler=SaveView"] = Access.SignedIn,
        ["GET /Views/Index"] = Access.SignedIn,
        ["POST /Views/Index?handler=Up"] = Access.SignedIn,
        ["POST /Views/Index?handler=Down"] = Access.SignedIn,
        ["POST /Views/Index?handler=Default"] = Access.SignedIn,
        ["POST /Views/Index?handler=Delete"] = Access.SignedIn,
        ["GET /Error"] = Access.Anyone,
        ["GET /Status"] = Access.Anyone,
        ["GET /Items/Details"] = Access.SignedIn,
        ["POST /Items/Details"] = Access.SignedIn,
        ["POST /Items/Details?handler=ApproveAll"] = Access.SignedIn,
        ["POST /Items/Details?handler=SaveNext"] = Access.SignedIn,
        ["GET /Items/Details?handler=Source"] = Access.SignedIn,
        ["POST /Items/Details?handler=AcceptRevision"] = Access.SignedIn,
        ["POST /Items/Details?handler=DismissRevision"] = Access.SignedIn,
        // Who may make which move depends on the item: the handler decides (resource-based).
        ["POST /Items/Details?handler=Transition"] = Access.SignedIn,
        ["POST /Items/Details?handler=TransitionNext"] = Access.SignedIn,
        ["POST /Items/Details?handler=Schedule"] = Access.SignedIn,
        ["POST /Items/Details?handler=CancelSchedule"] = Access.SignedIn,
        ["GET /Items/Story"] = Access.SignedIn,
        ["POST /Items/Story?handler=Merge"] = Access.SignedIn,
        ["POST /Items/Story?handler=Split"] = Access.SignedIn,
        ["POST /Items/Story?handler=Move"] = Access.SignedIn,
        ["POST /Items/Details?handler=ReplaceLink"] = Access.SignedIn,
        ["GET /Links/Broken"] = Access.Publishers,
        // Talk: the handlers check ReviewItems and authorship themselves.
        ["POST /Items/Details?handler=Comment"] = Access.SignedIn,
        ["POST /Items/Details?handler=EditComment"] = Access.SignedIn,
        ["POST /Items/Details?handler=DeleteComment"] = Access.SignedIn,
        ["POST /Items/Details?handler=ResolveComment"] = Access.SignedIn,
        ["POST /Items/Details?handler=Assign"] = Access.SignedIn,
        ["GET /Items/Threads"] = Access.SignedIn,
        ["GET /Inbox/Index"] = Access.SignedIn,
        ["GET /Queue/Arrivals"] = Access.SignedIn,
        ["POST /Inbox/Index?handler=Read"] = Access.SignedIn,
        ["POST /Inbox/Index?handler=ReadAll"] = Access.SignedIn,
        ["GET /Admin/Delivery/Sites"] = Access.Admins,
        ["POST /Admin/Delivery/Sites?handler=Create"] = Access.Admins,
        ["POST /Admin/Delivery/Sites?handler=Rotate"] = Access.Admins,
        ["POST /Admin/Delivery/Sites?handler=Revoke"] = Access.Admins,
        ["GET /Admin/Delivery/Webhooks"] = Access.Admins,
        ["POST /Admin/Delivery/Webhooks?handler=Add"] = Access.Admins,
        ["POST /Admin/Delivery/Webhooks?handler=Rotate"] = Access.Admins,
        ["POST /Admin/Delivery/Webhooks?handler=Disable"] = Access.Admins,
        ["POST /Admin/Delivery/Webhooks?handler=Enable"] = Access.Admins,
        ["GET /Admin/Delivery/Log"] = Access.Admins,
        ["POST /Admin/Delivery/Log?handler=Replay"] = Access.Admins,
        ["GET /Audit/Index"] = Access.Publishers,
        ["GET /Audit/Index?handler=Csv"] = Access.Publishers,
        ["GET /Import/Index"] = Access.SignedIn,
        ["POST /Import/Index"] = Access.SignedIn,
        ["GET /Topics/Index"] = Access.Publishers,
        ["POST /Topics/Index?handler=Create"] = Access.Publishers,
        ["POST /Topics/Index?handler=CreateMany"] = Access.Publishers,
        ["POST /Topics/Index?handler=Rename"] = Access.Publishers,
        ["POST /Topics/Index?handler=Merge"] = Access.Publishers,
        ["GET /Account/Login"] = Access.Anyone,
        ["POST /Account/Login"] = Access.Anyone,
        ["GET /Account/LoginWith2fa"] = Access.Anyone,
        ["POST /Account/LoginWith2fa"] = Access.Anyone,
        ["GET /Account/LoginWithRecoveryCode"] = Access.Anyone,
        ["POST /Account/LoginWithRecoveryCode"] = Access.Anyone,
        ["GET /Account/SetPassword"] = Access.Anyone,
        ["POST /Account/SetPassword"] = Access.Anyone,
        ["GET /Account/AccessDenied"] = Access.Anyone,
        ["GET /Account/Logout"] = Access.SignedIn,
        ["POST /Account/Logout"] = Access.SignedIn,
        ["GET /Account/Manage/Index"] = Access.SignedIn,
        ["GET /Account/Manage/ChangePassword"] = Access.SignedIn,
        ["POST /Account/Manage/ChangePassword"] = Access.SignedIn,
        ["GET /Account/Manage/EnableAuthenticator"] = Access.SignedIn,
        ["POST /Account/Manage/EnableAuthenticator"] = Access.SignedIn,
        ["GET /Account/Manage/ShowRecoveryCodes"] = Access.SignedIn,
        ["GET /Account/Manage/GenerateRecoveryCodes"] = Access.SignedIn,
        ["POST /Account/Manage/GenerateRecoveryCodes"] = Access.SignedIn,
        ["GET /Account/Manage/Sessions"] = Access.SignedIn,
        ["POST /Account/Manage/Sessions?handler=End"] = Access.SignedIn,
        ["GET /Admin/Users/Index"] = Access.Admins,
        ["GET /Admin/Users/Create"] = Access.Admins,
        ["POST /Admin/Users/Create"] = Access.Admins,
        ["GET /Admin/Users/Roles"] = Access.Admins,
        ["POST /Admin/Users/Roles"] = Access.Admins,
        ["GET /Admin/Users/Lock"] = Access.Admins,
        ["POST /Admin/Users/Lock"] = Access.Admins,
        ["GET /Admin/Users/Unlock"] = Access.Admins,
        ["POST /Admin/Users/Unlock"] = Access.Admins,
        ["GET /Admin/Users/Disable"] = Access.Admins,
        ["POST /Admin/Users/Disable"] = Access.Admins,
        ["GET /Admin/Users/Enable"] = Access.Admins,
        ["POST /Admin/Users/Enable"] = Access.Admins,
        ["GET /Admin/Users/ForcePasswordChange"] = Access.Admins,
        ["POST /Admin/Users/ForcePasswordChange"] = Access.Admins,
        ["GET /Admin/Users/SetPasswordLink"] = Access.Admins,
        ["POST /Admin/Users/SetPasswordLink"] = Access.Admins,
        ["GET /Admin/Users/ResetTwoFactor"] = Access.Admins,
        ["POST /Admin/Users/ResetTwoFactor"] = Access.Admins,
        ["GET /Admin/Users/Sessions"] = Access.Admins,
        ["POST /Admin/Users/Sessions"] = Access.Admins,
    };

    private enum Outcome
    {
        Allowed,
        SignInRequired,
        Denied,
    }

    private static Outcome ExpectedFor(Access access, string? role) => (access, role) switch
    {
        (Access.Anyone, _) => Outcome.Allowed,
        (_, null) => Outcome.SignInRequired,
        (Access.SignedIn, _) => Outcome.Allowed,
        (Access.Publishers, Roles.Publisher or Roles.Admin) => Outcome.Allowed,
        (Access.Admins, Roles.Admin) => Outcome.Allowed,
        _ => Outcome.Denied,
    };

    // "METHOD /Page[?handler=Name]" for every handler of every page, with a URL to reach it.
    private async Task<SortedDictionary<string, string>> PagesAndHandlersAsync()
    {
        var loader = Factory.Services.GetRequiredService<PageLoader>();
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not { } page)
            {
                continue;
            }
            var compiled = await loader.LoadAsync(page, endpoint.Metadata);
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => s.IsSimple && s.Parts[0] is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal ? literal.Content : "1"));
            var handlers = compiled.HandlerMethods.Select(h => (Method: h.HttpMethod.ToUpperInvariant(), h.Name)).ToList();
            if (handlers.Count == 0)
            {
                handlers.Add(("GET", null));
            }
            foreach (var (method, name) in handlers)
            {
                var key = $"{method} {page.ViewEnginePath}" + (name is null ? "" : $"?handler={name}");
                var url = path + (name is null ? "" : $"?handler={name}");
                // Index pages have two routes ("/Topics" and "/Topics/Index"): keep the longer.
                if (!found.TryGetValue(key, out var existing) || existing.Length < url.Length)
                {
                    found[key] = url;
                }
            }
        }
        return found;
    }

    [Fact]
    public async Task Every_page_and_handler_has_an_explicit_rule_and_every_rule_a_page()
    {
        var found = await PagesAndHandlersAsync();

        Assert.True(found.Count > 40, $"only {found.Count} handlers found; the enumeration is broken");
        Assert.Empty(found.Keys.Where(k => !Expected.ContainsKey(k)).Select(k => $"no rule for {k}"));
        Assert.Empty(Expected.Keys.Where(k => !found.ContainsKey(k)).Select(k => $"rule for a page that does not exist: {k}"));
    }

    [Fact]
    public async Task Every_page_and_handler_answers_each_role_as_its_rule_says()
    {
        var found = await PagesAndHandlersAsync();
        var visitors = new Dictionary<string, CookieJar?> { ["anonymous"] = null };
        foreach (var role in Roles.All)
        {
            var email = $"matrix-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
            await Factory.CreateUserAsync(email, Password, role);
            var jar = new CookieJar();
            await jar.SignInAsync(Factory, email, Password);
            visitors[role] = jar;
        }

        var wrong = new List<string>();
        foreach (var (key, url) in found.Where(f => Expected.ContainsKey(f.Key)))
        {
            var method = key.StartsWith("POST", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;
            foreach (var (who, jar) in visitors)
            {
                var request = new HttpRequestMessage(method, url) { Content = method == HttpMethod.Post ? new FormUrlEncodedContent([]) : null };
                var response = await (jar?.Copy() ?? new CookieJar()).SendAsync(Factory, request);
                var outcome = Classify(response);
                var expected = ExpectedFor(Expected[key], who == "anonymous" ? null : who);
                if (outcome != expected)
                {
                    wrong.Add($"{key} as {who}: {outcome} ({(int)response.StatusCode} {response.Headers.Location}), expected {expected}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    // The authorization layer answers with a challenge (to sign in) or a forbid (access denied);
    // anything else (a page, a 400 for the missing antiforgery token, a 404) got past it.
    private static Outcome Classify(HttpResponseMessage response)
    {
        // The access-denied page itself answers 403 to everyone: that is its content, not a refusal.
        if (response.StatusCode == HttpStatusCode.Forbidden && response.RequestMessage?.RequestUri?.AbsolutePath != "/Account/AccessDenied")
        {
            return Outcome.Denied;
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return Outcome.SignInRequired;
        }
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } location)
        {
            var target = new Uri(new Uri("http://localhost"), location).PathAndQuery;
            if (target.StartsWith("/Account/Login?ReturnUrl=", StringComparison.Ordinal))
            {
                return Outcome.SignInRequired;
            }
            if (target.StartsWith("/Account/AccessDenied?ReturnUrl=", StringComparison.Ordinal))
            {
                return Outcome.Denied;
            }
        }
        return Outcome.Allowed;
    }
}
