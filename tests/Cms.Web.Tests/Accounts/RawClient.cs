using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// The app on a real Kestrel port, so the client address is real (TestServer reports none).
public abstract class KestrelFixture : AppFixture
{
    public Uri BaseAddress { get; private set; } = null!;

    protected override void Start(CmsFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        BaseAddress = factory.ClientOptions.BaseAddress;
    }
}

// Plain HTTP against Kestrel with headers a proxy (or an attacker) would add.
public sealed class RawClient(Uri baseAddress, string? forwardedFor = null, string? forwardedProto = null, string? host = null)
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string? cookie = null)
    {
        var request = new HttpRequestMessage(method, new Uri(baseAddress, path)) { Content = content };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return await Client.SendAsync(request);
    }

    // One sign-in attempt as a browser makes it: the form (GET, not rate limited), then the POST.
    public async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        var page = await SendAsync(HttpMethod.Get, "/Account/Login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        return await SendAsync(HttpMethod.Post, "/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
        }), antiforgery);
    }

    private static int _next;

    // A client address of its own for each caller (documentation ranges), so tests keep their buckets apart.
    public static string Address()
    {
        var n = Interlocked.Increment(ref _next);
        return $"198.51.{100 + n / 250}.{1 + n % 250}";
    }
}
