using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// A browser's cookies kept by hand, so the same cookies can be replayed on another app instance
// or after the browser "signed out" (a stolen copy).
public sealed class CookieJar
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public CookieJar()
    {
    }

    private CookieJar(Dictionary<string, string> cookies) => _cookies = new Dictionary<string, string>(cookies, StringComparer.Ordinal);

    public string? this[string name] => _cookies.GetValueOrDefault(name);

    // A copy of the cookies as they are now.
    public CookieJar Copy() => new(_cookies);

    public async Task<HttpResponseMessage> SendAsync(CmsFactory app, HttpRequestMessage request)
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }
        var response = await client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                var pair = value.Split(';')[0];
                var eq = pair.IndexOf('=');
                var (name, content) = (pair[..eq], pair[(eq + 1)..]);
                if (content.Length == 0 || value.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    _cookies.Remove(name);
                }
                else
                {
                    _cookies[name] = content;
                }
            }
        }
        return response;
    }

    public Task<HttpResponseMessage> GetAsync(CmsFactory app, string url) => SendAsync(app, new HttpRequestMessage(HttpMethod.Get, url));

    // GETs the page for its antiforgery token, then POSTs the form (to postUrl or the page).
    public async Task<HttpResponseMessage> PostFormAsync(CmsFactory app, string pageUrl, IDictionary<string, string> fields, string? postUrl = null)
    {
        var page = await GetAsync(app, pageUrl);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {pageUrl} gave {(int)page.StatusCode} {page.Headers.Location}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Http.AntiforgeryToken(await page.Content.ReadAsStringAsync()) };
        return await SendAsync(app, new HttpRequestMessage(HttpMethod.Post, postUrl ?? pageUrl) { Content = new FormUrlEncodedContent(form) });
    }

    public async Task SignInAsync(CmsFactory app, string email, string password)
    {
        var response = await PostFormAsync(app, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotNull(this["cms.auth"]);
    }

    // The sign-in page an ended session's next request lands on, on that instance, and the reason
    // it gives (null: none).
    public async Task<string?> SignedOutReasonAsync(CmsFactory app)
    {
        var next = await GetAsync(app, "/");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        var login = next.Headers.Location!.PathAndQuery;
        Assert.StartsWith("/Account/Login", login);
        var page = await GetAsync(app, login);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return Html.Parse(await page.Content.ReadAsStringAsync()).QuerySelector("#signed-out-reason")?.TextContent.Trim();
    }

    // Whether these cookies reach the queue on that instance (200), or are sent to sign in.
    public async Task<bool> IsSignedInAsync(CmsFactory app)
    {
        var response = await GetAsync(app, "/Account/Manage");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
        return false;
    }
}
