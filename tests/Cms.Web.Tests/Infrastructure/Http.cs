using System.Net;

namespace Cms.Web.Tests.Infrastructure;

public static class Http
{
    public static string AntiforgeryToken(string html)
    {
        var token = Html.Parse(html).QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");
        Assert.True(token is { Length: > 0 }, "the page has no antiforgery token");
        return token!;
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/Account/Login");
        return await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        }));
    }

    // GETs a page, then POSTs a form to it with the page's antiforgery token.
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, IDictionary<string, string> fields, string? postUrl = null)
    {
        var page = await client.GetStringAsync(pageUrl);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = AntiforgeryToken(page) };
        return await client.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(form));
    }

    // Signs in without a cookie container and returns the Cookie header a browser would send.
    public static async Task<string> SignInForCookieAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetAsync("/Account/Login");
        var antiforgery = CookiePairs(page);
        var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = password,
                ["__RequestVerificationToken"] = AntiforgeryToken(await page.Content.ReadAsStringAsync()),
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", antiforgery));
        var response = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var auth = CookiePairs(response).Where(c => c.StartsWith("cms.auth=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(auth);
        return string.Join("; ", auth);
    }

    public static Task<HttpResponseMessage> GetWithCookieAsync(CmsFactory factory, string url, string cookie)
    {
        var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request);
    }

    private static IEnumerable<string> CookiePairs(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : [];
}
