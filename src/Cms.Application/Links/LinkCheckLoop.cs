using Cms.Core.Links;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Links;

// The link checker's loop, beside the publishing worker and in the same style: learn new URLs,
// lease the hosts whose turn it is, one request each (hosts in parallel), then sleep until a host is
// due or a few seconds have passed. Every decision that concerns another instance (whose turn a host
// has, who is asking it) is a row in PostgreSQL.
public sealed class LinkCheckLoop(IServiceScopeFactory scopes, LinkCheckSettings settings, TimeProvider clock, ILogger<LinkCheckLoop> log)
{
    public string Name { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:links:{Guid.NewGuid().ToString("N")[..6]}";

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var busy = await RoundAsync(ct);
                await Task.Delay(busy > 0 ? settings.HostInterval : Idle, clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever one round met (the database away, a row it refused), the loop goes on: a
                // background service that throws stops the whole web app.
                log.LogError(ex, "link checker {Name}: the round failed; retrying", Name);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), clock, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // One round: discovery, then one request for each host leased. Returns the requests made.
    public async Task<int> RoundAsync(CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LinkChecker>().DiscoverAsync(ct);
        }
        List<string> hosts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            hosts = await scope.ServiceProvider.GetRequiredService<LinkChecker>().LeaseHostsAsync(Name, settings.Parallel, ct);
        }
        await Task.WhenAll(hosts.Select(async host =>
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<LinkChecker>().StepAsync(host, Name, ct);
        }));
        return hosts.Count;
    }
}

// The loop as a hosted service of the web app (LinkCheck:Enabled turns it on).
public sealed class LinkCheckService(LinkCheckLoop loop, LinkCheckSettings settings) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        settings.Enabled ? Task.Run(() => loop.RunAsync(stoppingToken), stoppingToken) : Task.CompletedTask;
}
