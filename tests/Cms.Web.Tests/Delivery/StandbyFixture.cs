using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Delivery;

// The app on a primary with a streaming standby of its own (StreamingPair: initdb, pg_basebackup -R,
// torn down with the class), configured with ConnectionStrings:CmsReadOnly. Three hosts on the same
// pair: Factory looks at the standby before every connection (ReadOnly:CheckSeconds=0) with a
// generous lag limit, so its tests decide what it reads by pausing replay or stopping the standby.
// Cached and Lagging keep the default look cache on clocks the tests move (both start an hour
// behind, so a lag measured on them is never over the limit until a test sets it so): Cached holds
// a look as long as its clock stands still; Lagging has a 5 s limit, so "further behind than the
// limit" is a time the test sets, never a wait. Each test moves only its own host's clock.
public sealed class StandbyFixture : AppFixture
{
    public const int LaggingMaxLagSeconds = 5;
    public const int CheckSeconds = 2;
    private const string Database = "cms";

    private StreamingPair? _pair;
    private CmsFactory? _lagging;
    private CmsFactory? _cached;

    public StreamingPair Pair => _pair ?? throw new InvalidOperationException("not initialized");

    public CmsFactory Lagging => _lagging ?? throw new InvalidOperationException("not initialized");

    public FakeTimeProvider LaggingClock { get; } = new(DateTimeOffset.UtcNow.AddHours(-1));

    public CmsFactory Cached => _cached ?? throw new InvalidOperationException("not initialized");

    public FakeTimeProvider CachedClock { get; } = new(DateTimeOffset.UtcNow.AddHours(-1));

    public string StandbyConnectionString => Pair.As(Pair.StandbyPort, Database, TestPostgres.AppRole);

    public static readonly Actor Editor = Actor.System("test") with { UserId = "editor", Name = "editor@example.com" };
    public static readonly Actor Publisher = Actor.System("test") with { UserId = "publisher", Name = "publisher@example.com" };

    protected override async Task<string> CreateDatabaseAsync()
    {
        _pair = await StreamingPair.StartAsync();
        var server = _pair.Superuser(_pair.PrimaryPort);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE ROLE {TestPostgres.AppRole} LOGIN", CancellationToken.None);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {Database}", CancellationToken.None);
        var app = _pair.As(_pair.PrimaryPort, Database, TestPostgres.AppRole);
        await DatabaseRoles.MigrateAsync(_pair.Superuser(_pair.PrimaryPort, Database), app, CancellationToken.None);
        return app;
    }

    // The pair goes with the class (DROP DATABASE would only cost time).
    protected override async Task DropDatabaseAsync(string connectionString)
    {
        if (_pair is not null)
        {
            await _pair.DisposeAsync();
        }
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:CmsReadOnly"] = StandbyConnectionString,
        ["ReadOnly:MaxLagSeconds"] = "300",
        ["ReadOnly:CheckSeconds"] = "0",
        ["Publishing:Worker"] = "false",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _lagging = Host(LaggingMaxLagSeconds, LaggingClock);
        _cached = Host(300, CachedClock);
    }

    private CmsFactory Host(int maxLagSeconds, FakeTimeProvider clock)
    {
        var host = new CmsFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["ConnectionStrings:CmsReadOnly"] = StandbyConnectionString,
            ["ReadOnly:MaxLagSeconds"] = maxLagSeconds.ToString(),
            ["ReadOnly:CheckSeconds"] = CheckSeconds.ToString(),
            ["Publishing:Worker"] = "false",
        }) { TestServices = s => s.AddSingleton<TimeProvider>(clock) };
        _ = host.Services;
        return host;
    }

    public override async Task DisposeAsync()
    {
        foreach (var host in new[] { _lagging, _cached })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
        await base.DisposeAsync();
    }

    // Each test starts from a running standby that has replayed everything.
    public async Task ReadyAsync()
    {
        if (!await Pair.StandbyRunningAsync())
        {
            await Pair.StartStandbyAsync();
        }
        await Pair.ResumeReplayAsync();
        await Pair.CaughtUpAsync();
    }

    // From a ready pair: one item published and replayed, then replay paused and a second item
    // published, which only the primary has.
    public async Task<(long Shown, long Hidden)> StandbyBehindAsync()
    {
        await ReadyAsync();
        var shown = await PublishedAsync();
        await Pair.CaughtUpAsync();
        await Pair.PauseReplayAsync();
        return (shown, await PublishedAsync());
    }

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    // A new item, marked ready and published (on the primary).
    public async Task<long> PublishedAsync()
    {
        var item = new TestItem { RelatedCount = 0 };
        await ImportAsync(item);
        var id = ItemId(item);
        foreach (var (action, actor) in new[] { (WorkflowAction.MarkReady, Editor), (WorkflowAction.Publish, Publisher) })
        {
            var outcome = await RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleManyAsync(actor, [id], action, null, CancellationToken.None));
            Assert.True(outcome.Succeeded, outcome.Message);
        }
        return id;
    }

    public async Task<string> SiteTokenAsync()
    {
        var outcome = await RunAsync(s => s.GetRequiredService<DeliverySites>().CreateAsync(Actor.CommandLine(), "site-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        return outcome.Value!;
    }

    public static HttpClient Api(CmsFactory host, string token)
    {
        var client = host.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
