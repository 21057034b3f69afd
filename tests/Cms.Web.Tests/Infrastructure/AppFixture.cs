using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Infrastructure;

// The real app on a throwaway database, shared by the tests of one class (IClassFixture<AppFixture>):
// building the host and the database once per class instead of once per test is most of the
// suite's set-up time. Tests that share it keep their data apart (unique titles, URLs, emails).
public class AppFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery";

    private string? _connectionString;
    private CmsFactory? _factory;

    public CmsFactory Factory => _factory ?? throw new InvalidOperationException("not initialized");

    // The app's role (owns nothing); OwnerConnectionString is the schema owner's, for tampering.
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("not initialized");

    public string OwnerConnectionString => TestPostgres.AsOwner(ConnectionString);

    public virtual async Task InitializeAsync()
    {
        _connectionString = await CreateDatabaseAsync();
        _factory = new CmsFactory(_connectionString, Settings) { TestServices = ConfigureTestServices };
        Start(_factory);
    }

    // The app's database: a copy of the migrated template on CMS_TEST_PG unless a fixture brings its own.
    protected virtual Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync();

    protected virtual Task DropDatabaseAsync(string connectionString) => TestPostgres.DropDatabaseAsync(connectionString);

    // Settings of this fixture's app on top of CmsFactory's test defaults.
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    // Services of this fixture's app replaced after the app's own (e.g. the clock).
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    // Starts the host now rather than on the first request.
    protected virtual void Start(CmsFactory factory) => _ = factory.Services;

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_connectionString is not null)
        {
            await DropDatabaseAsync(_connectionString);
        }
    }

    // Imports the given front-matter texts as files named 001_item.txt, 002_item.txt, ...
    public async Task ImportTextsAsync(params string[] texts)
    {
        var report = await Corpus.ImportAsync(Factory.Services, texts);
        Assert.Empty(report.Problems);
    }

    public Task ImportAsync(params TestItem[] items) => ImportTextsAsync([.. items.Select(i => i.ToYaml())]);

    public long ItemId(string title) => Factory.WithDb(db => db.Items.Single(i => i.Title == title).Id);

    public long ItemId(TestItem item) => Factory.WithDb(db => db.Items.Single(i => i.OriginalUrl == item.OriginalUrl).Id);

    // A new account with the role (its own unique email) and a client signed in as it.
    public async Task<HttpClient> SignedInAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, role);
        var client = Factory.Browser();
        var response = await Http.SignInAsync(client, email, Password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
