using System.Net.Http.Headers;
using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Delivery;

// The app without its hosted workers (the tests run the folder worker and the webhook sender
// themselves, so nothing happens behind their back), with loopback receivers allowed, an immediate
// retry schedule, and a clock the tests move: a webhook times out only when a test advances it
// past Webhooks:TimeoutSeconds, never because the machine is slow.
public class DeliveryFixture : AppFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Publishing:Worker"] = "false",
        ["Outbound:AllowPrivateNetworks"] = "true",
        ["Webhooks:TimeoutSeconds"] = "1",
        ["Webhooks:RetrySchedule"] = "0s,0s,0s,0s,0s",
        // One request in flight at a time: moving the clock for a silent receiver must not time out
        // another receiver's request that happens to be under way.
        ["Webhooks:Parallelism"] = "1",
    };

    public static readonly Actor Editor = Actor.System("test") with { UserId = "editor", Name = "editor@example.com" };
    public static readonly Actor Publisher = Actor.System("test") with { UserId = "publisher", Name = "publisher@example.com" };
    public static readonly Actor OtherPublisher = Actor.System("test") with { UserId = "publisher-2", Name = "publisher2@example.com" };

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<Outcome> MoveAsync(IReadOnlyList<long> ids, WorkflowAction action, Actor actor, string? reason = null) =>
        RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleManyAsync(actor, ids, action, reason, CancellationToken.None));

    // New items (no related links), marked ready by the editor and published by the publisher.
    public async Task<List<long>> PublishedAsync(params TestItem[] items)
    {
        await ImportAsync(items);
        var ids = items.Select(ItemId).ToList();
        Assert.True((await MoveAsync(ids, WorkflowAction.MarkReady, Editor)).Succeeded);
        var published = await MoveAsync(ids, WorkflowAction.Publish, Publisher);
        Assert.Equal($"Publish: {ids.Count} published.", published.Message);
        return ids;
    }

    public Task<List<long>> PublishedAsync(int count) =>
        PublishedAsync([.. Enumerable.Range(0, count).Select(_ => new TestItem { RelatedCount = 0 })]);

    public async Task<string> SiteTokenAsync(string? name = null)
    {
        var outcome = await RunAsync(s => s.GetRequiredService<DeliverySites>().CreateAsync(Actor.CommandLine(), name ?? "site-" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        return outcome.Value!;
    }

    public HttpClient Api(string? token)
    {
        var client = Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public Task<int> SendWebhooksAsync() => RunAsync(s => s.GetRequiredService<WebhookSender>().RunOnceAsync(CancellationToken.None));
}
