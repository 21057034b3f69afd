using Cms.Application;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Live;

// Two instances of one deployment: two app hosts on real Kestrel ports sharing one database (and
// publish folder), each with its own LISTEN connection and hub. Heartbeats are short so that a
// dead instance's presence is swept within the tests' patience.
public class TwoInstancesFixture : IAsyncLifetime
{
    public const string Password = AppFixture.Password;

    private string? _connectionString;

    public CmsFactory A { get; private set; } = null!;
    public CmsFactory B { get; private set; } = null!;

    public string ConnectionString => _connectionString!;

    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["Live:HeartbeatSeconds"] = "1",
        ["Live:PresenceTtlSeconds"] = "3",
        ["Live:ClientBuffer"] = "16",
    };

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        var folder = Path.Combine(Path.GetTempPath(), "cms-published-" + Guid.NewGuid().ToString("N")[..8]);
        A = Start(new CmsFactory(_connectionString, Settings, folder));
        B = Start(new CmsFactory(_connectionString, Settings, folder));
        // Both hubs listening before any test opens a stream and expects an event.
        await LiveListening.WaitAsync(_connectionString, 2);
    }

    private static CmsFactory Start(CmsFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }

    // An account with the role and a client signed in as it on the given instance (cookies work on
    // both: the key ring and the sessions are in the database).
    public async Task<(Actor Actor, HttpClient Client)> PersonAsync(CmsFactory on, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var user = await A.CreateUserAsync(email, Password, role);
        var client = Client(on, cookies: true);
        var response = await Http.SignInAsync(client, email, Password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return (new Actor(user.Id, email, Cms.Core.Security.Permissions.Of([role])), client);
    }

    // A plain client of the instance's Kestrel port, as a browser talks to it.
    public static HttpClient Client(CmsFactory on, bool cookies) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = cookies, CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = on.ClientOptions.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<long> ItemAsync()
    {
        var item = new TestItem();
        var report = await Corpus.ImportAsync(A.Services, [item.ToYaml()]);
        Assert.Empty(report.Problems);
        return A.WithDb(db => db.Items.Single(i => i.OriginalUrl == item.OriginalUrl).Id);
    }
}
