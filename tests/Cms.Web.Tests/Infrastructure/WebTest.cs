namespace Cms.Web.Tests.Infrastructure;

// Base of the in-process web tests. A class that declares IClassFixture<AppFixture> (or a fixture
// derived from it) passes it in and its tests share one app and database; the parameterless
// constructor gives each test its own, for the classes whose tests cannot share one.
public abstract class WebTest : IAsyncLifetime
{
    public const string Password = AppFixture.Password;

    private readonly bool _ownsApp;

    protected WebTest(AppFixture app) => App = app;

    protected WebTest()
    {
        App = new AppFixture();
        _ownsApp = true;
    }

    protected AppFixture App { get; }

    protected CmsFactory Factory => App.Factory;

    protected string ConnectionString => App.ConnectionString;

    public virtual Task InitializeAsync() => _ownsApp ? App.InitializeAsync() : Task.CompletedTask;

    public virtual Task DisposeAsync() => _ownsApp ? App.DisposeAsync() : Task.CompletedTask;

    protected Task ImportTextsAsync(params string[] texts) => App.ImportTextsAsync(texts);

    protected Task ImportAsync(params TestItem[] items) => App.ImportAsync(items);

    protected long ItemId(string title) => App.ItemId(title);

    protected long ItemId(TestItem item) => App.ItemId(item);

    protected Task<HttpClient> SignedInAsync(string role) => App.SignedInAsync(role);

    // A browser of its own signed in as this person (two tabs of one person are two such browsers).
    protected async Task<HttpClient> SignedInAsAsync(string email)
    {
        var client = Factory.Browser();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await Http.SignInAsync(client, email, Password)).StatusCode);
        return client;
    }
}
