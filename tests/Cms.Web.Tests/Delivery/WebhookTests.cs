using System.Diagnostics;
using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Application.Outbound;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Cms.Web.Tests.Delivery;

public sealed class WebhookTests(DeliveryFixture app) : WebTest(app), IClassFixture<DeliveryFixture>
{
    private static readonly string[] AllEvents = [.. DeliveryEvents.All];

    // The class shares one database: a test's endpoints must not receive the next test's events.
    public override async Task DisposeAsync()
    {
        Factory.WithDb(db => db.WebhookEndpoints.ExecuteUpdate(u => u.SetProperty(e => e.Enabled, false)));
        await base.DisposeAsync();
    }

    private async Task<(long Id, string Secret)> EndpointAsync(WebhookReceiver receiver, params string[] events)
    {
        var outcome = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.CommandLine(), receiver.Url, events.Length == 0 ? AllEvents : events, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.StartsWith("whsec_", outcome.Value.Secret);
        receiver.Secrets["current"] = outcome.Value.Secret;
        return outcome.Value;
    }

    // Sends until nothing is due now; a safety net, not a clock: the test fails with a message if the
    // deliveries never settle.
    private async Task DrainAsync(Func<bool>? until = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var sent = await app.SendWebhooksAsync();
            if (until?.Invoke() ?? sent == 0)
            {
                return;
            }
            if (sent == 0)
            {
                await Task.Delay(100);
            }
        }
        Assert.Fail("webhook deliveries did not settle within 60 s");
    }

    private List<WebhookDelivery> Deliveries(long endpoint) => Factory.WithDb(db => db.WebhookDeliveries.Where(d => d.EndpointId == endpoint).OrderBy(d => d.Id).ToList());

    private static JsonElement Body(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public async Task Each_event_is_delivered_successfully_exactly_once_per_endpoint_through_500_a_timeout_and_429_with_Retry_After_in_order_per_item()
    {
        await using var flaky = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        var (flakyId, _) = await EndpointAsync(flaky);
        var (healthyId, _) = await EndpointAsync(healthy);
        flaky.ThenStatus(500);
        flaky.ThenNoAnswer(_ => app.Clock.Advance(TimeSpan.FromSeconds(1)));
        flaky.ThenStatus(429, retryAfter: "2");
        var id = (await app.PublishedAsync(1))[0];
        Assert.True((await app.MoveAsync([id], WorkflowAction.Withdraw, DeliveryFixture.Publisher, "wrong story")).Succeeded);

        // Up to the 429: then nothing is due until the receiver's Retry-After has passed on the app's clock.
        await DrainAsync(() => flaky.Requests.Count == 3 && Deliveries(healthyId).All(d => d.Status == WebhookDeliveryStatus.Succeeded));
        var waiting = Deliveries(flakyId)[0];
        Assert.Equal(429, waiting.LastStatusCode);
        Assert.Equal(waiting.LastAttemptAt + TimeSpan.FromSeconds(2), waiting.NextAttemptAt);
        Assert.Equal(0, await app.SendWebhooksAsync());
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await app.SendWebhooksAsync());
        await DrainAsync(() => Deliveries(flakyId).All(d => d.Status == WebhookDeliveryStatus.Succeeded) && Deliveries(healthyId).All(d => d.Status == WebhookDeliveryStatus.Succeeded));

        foreach (var receiver in new[] { flaky, healthy })
        {
            var ok = receiver.Requests.Where(r => r.Status == 200).ToList();
            Assert.Equal(["item.published", "item.withdrawn"], ok.Select(r => Body(r).GetProperty("type").GetString()));
            Assert.Equal(2, ok.Select(r => r.Id).Distinct().Count());
            Assert.All(receiver.Requests, r => Assert.Equal(["current"], r.VerifiedWith));
            Assert.All(ok, r => Assert.Equal(id, Body(r).GetProperty("data").GetProperty("id").GetInt64()));
            Assert.Equal([1, 2], ok.Select(r => Body(r).GetProperty("data").GetProperty("version").GetInt32()));
        }
        // The flaky endpoint saw the first message four times (500, no answer, 429, 200), always with
        // the same webhook-id, and the withdrawal only after it.
        var first = flaky.Requests[0].Id;
        Assert.Equal([500, 504, 429, 200, 200], flaky.Requests.Select(r => r.Status));
        Assert.All(flaky.Requests.Take(4), r => Assert.Equal(first, r.Id));
        var log = Deliveries(flakyId);
        Assert.Equal(4, log[0].Attempts);
        Assert.Equal(200, log[0].LastStatusCode);
        // One webhook.delivered event per endpoint for that message.
        Assert.Equal(2, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == AuditActions.WebhookDelivered && a.Payload.Contains(first))));
    }

    [Fact]
    public async Task A_worker_killed_while_a_receiver_holds_its_request_loses_nothing_and_the_restarted_worker_sends_the_same_message_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(receiver);
        var ids = await app.PublishedAsync(3);
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Cms"] = ConnectionString,
            ["Publishing__Folder"] = Factory.PublishFolder,
            ["Outbound__AllowPrivateNetworks"] = "true",
            // One message at a time, so the kill finds one sent and unanswered and the rest unsent.
            ["Webhooks__Parallelism"] = "1",
            ["DOTNET_DbgEnableMiniDump"] = "0",
        };
        // Queued on the fixture's clock, which tests move: due for a worker on the machine's clock too.
        Factory.WithDb(db => db.WebhookDeliveries.Where(d => d.EndpointId == endpoint)
            .ExecuteUpdate(u => u.SetProperty(d => d.NextAttemptAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        // A real `./cms worker --once`, killed while the receiver holds the first message: the worker
        // has claimed and sent, and not yet recorded anything.
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.ThenNoAnswer(id => arrived.TrySetResult(id));
        using (var worker = Process.Start(Repo.Cms(environment, "worker", "--once"))!)
        {
            _ = worker.StandardOutput.ReadToEndAsync();
            _ = worker.StandardError.ReadToEndAsync();
            var held = await Task.WhenAny(arrived.Task, worker.WaitForExitAsync());
            Assert.True(held == arrived.Task, "the worker exited before the receiver got a message");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
        var heldId = await arrived.Task;

        Assert.All(Deliveries(endpoint), d => Assert.Equal(WebhookDeliveryStatus.Pending, d.Status));
        // The dead worker's lease holds its deliveries until it runs out (WebhookOptions.Lease on the
        // worker's own clock, which a test cannot move): it is moved past here, as time would.
        Assert.All(Deliveries(endpoint), d => Assert.NotNull(d.ClaimedUntil));
        Factory.WithDb(db => db.WebhookDeliveries.Where(d => d.EndpointId == endpoint)
            .ExecuteUpdate(u => u.SetProperty(d => d.ClaimedUntil, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var restarted = await Repo.RunCmsAsync(environment, "worker", "--once");

        Assert.True(restarted.ExitCode == 0, restarted.Errors);
        // Exactly one successful delivery per event: the held message was never answered.
        var delivered = receiver.Requests.Where(r => r.Status == 200).ToList();
        Assert.Equal(3, delivered.Count);
        Assert.Equal(ids.Order(), delivered.Select(r => Body(r).GetProperty("data").GetProperty("id").GetInt64()).Order());
        Assert.Equal(3, delivered.Select(r => r.Id).Distinct().Count());
        // The interrupted message goes out again under the same webhook-id, so a receiver deduplicates it.
        Assert.Contains(heldId, delivered.Select(r => r.Id));
        Assert.All(delivered, r => Assert.Equal(["current"], r.VerifiedWith));
        Assert.All(Deliveries(endpoint), d => Assert.Equal(WebhookDeliveryStatus.Succeeded, d.Status));
    }

    // The claim is a lease, not a transaction held while receivers answer: a slow receiver holds no
    // row lock and no open transaction, another sender meanwhile sends everything else, and once
    // the lease has run out on the app's clock it takes the held delivery over, under the same
    // webhook-id; the first sender's late answer is then not recorded.
    [Fact]
    public async Task A_slow_receiver_holds_no_lock_and_its_delivery_is_taken_over_by_another_sender_once_the_lease_runs_out()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        var (slowId, arrived, held) = await HeldAsync(slow);

        // Sender A: its requests time out on a clock nobody moves, so the receiver holds it until released.
        await using var scope = Factory.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<WebhookOptions>();
        var a = Sender(scope, new FakeTimeProvider(app.Clock.GetUtcNow())).RunOnceAsync(CancellationToken.None);
        var messageId = await arrived.WaitAsync(TimeSpan.FromSeconds(60));

        // While the receiver holds the request: the row is free and no transaction waits on it.
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var locked = new NpgsqlCommand("SELECT id FROM webhook_deliveries WHERE id = @id FOR UPDATE NOWAIT", conn);
            locked.Parameters.AddWithValue("id", held.Id);
            Assert.Equal(held.Id, (long)(await locked.ExecuteScalarAsync())!);
            await using var open = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND query LIKE '%webhook_deliveries%'", conn);
            Assert.Equal(0L, (long)(await open.ExecuteScalarAsync())!);
        }
        Assert.True(Deliveries(slowId).Single().ClaimedUntil > app.Clock.GetUtcNow());

        // Sender B (the app's) sends the rest meanwhile: the slow site's next item and another site.
        var (healthyId, _) = await EndpointAsync(healthy);
        await app.PublishedAsync(1);
        Assert.Equal(2, await app.SendWebhooksAsync());
        Assert.Equal(WebhookDeliveryStatus.Succeeded, Assert.Single(Deliveries(healthyId)).Status);
        Assert.Equal(0, await app.SendWebhooksAsync());
        Assert.Equal(WebhookDeliveryStatus.Pending, Deliveries(slowId).Single(d => d.Id == held.Id).Status);

        // The lease runs out: B, on a clock past it (the fixture's own clock is shared with real
        // worker processes in this class, so it is not moved that far), takes the delivery over and
        // sends the same message again.
        await using (var later = Factory.Services.CreateAsyncScope())
        {
            Assert.Equal(1, await Sender(later, new FakeTimeProvider(app.Clock.GetUtcNow() + options.Lease + TimeSpan.FromSeconds(1))).RunOnceAsync(CancellationToken.None));
        }
        slow.Release();
        Assert.Equal(1, await a.WaitAsync(TimeSpan.FromSeconds(60)));

        var taken = Deliveries(slowId).Single(d => d.Id == held.Id);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, taken.Status);
        Assert.Equal(1, taken.Attempts);
        Assert.Equal(200, taken.LastStatusCode);
        Assert.Null(taken.ClaimedUntil);
        Assert.Equal([200, 504], slow.Requests.Where(r => r.Id == messageId).Select(r => r.Status).Order());
        Assert.Equal(0, Factory.WithDb(db => db.AuditEvents.Count(e => e.Action == AuditActions.WebhookDeliveryFailed && e.Payload.Contains(messageId))));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(e => e.Action == AuditActions.WebhookDelivered && e.Payload.Contains(messageId))));
    }

    // A sender of its own, on this clock (its due times, leases and request timeouts).
    // A sender whose receiver is slow renews its lease while the request runs, so no other sender
    // takes the delivery over as long as it lives (a dead one's short lease runs out: the test above).
    [Fact]
    public async Task A_live_sender_renews_its_lease_while_a_receiver_holds_the_request_and_keeps_the_delivery()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        var (slowId, arrived, held) = await HeldAsync(slow);
        await using var scope = Factory.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<WebhookOptions>();
        var start = app.Clock.GetUtcNow();
        var clock = new FakeTimeProvider(start);
        var a = Sender(scope, clock).RunOnceAsync(CancellationToken.None);
        await arrived.WaitAsync(TimeSpan.FromSeconds(60));
        // (PostgreSQL keeps microseconds.)
        Assert.Equal(start + options.Lease, Deliveries(slowId).Single().ClaimedUntil!.Value, TimeSpan.FromMilliseconds(1));

        // A third of the lease later (on the sender's clock) it is renewed from then.
        clock.Advance(options.LeaseRenewal);
        await Eventually.HappensAsync(() => Deliveries(slowId).Single().ClaimedUntil > start + options.LeaseRenewal + options.Lease - TimeSpan.FromMilliseconds(1), "the lease renewed");

        // Past the first lease, another sender finds nothing to take over.
        await using (var later = Factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await Sender(later, new FakeTimeProvider(start + options.Lease + options.LeaseRenewal / 2)).RunOnceAsync(CancellationToken.None));
        }
        await ReleasedAndRecordedByTheLiveSenderAsync(slow, a, slowId, held);
    }

    // The held request's answer (504 on release) is the live sender's to record: it kept the lease.
    private async Task ReleasedAndRecordedByTheLiveSenderAsync(WebhookReceiver slow, Task<int> round, long slowId, WebhookDelivery held)
    {
        slow.Release();
        Assert.Equal(1, await round.WaitAsync(TimeSpan.FromSeconds(60)));
        var recorded = Deliveries(slowId).Single(d => d.Id == held.Id);
        Assert.Equal((1, 504, (Guid?)null), (recorded.Attempts, recorded.LastStatusCode, recorded.ClaimedBy));
        Assert.Single(slow.Requests);
    }

    // REVIEW6 #3: a renewal the database refuses once (a dropped connection, a failover) is logged
    // and the next tick renews again: one failure must not leave the lease to run out while the
    // round's requests go on (another sender would then send the same messages again).
    [Fact]
    public async Task A_lease_renewal_that_fails_once_is_tried_again_at_the_next_tick_and_the_sender_keeps_its_delivery()
    {
        await using var slow = await WebhookReceiver.StartAsync();
        var (slowId, arrived, held) = await HeldAsync(slow);
        var fault = new FailFirstRenewal();
        var dbOptions = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(dbOptions, ConnectionString);
        await using var db = new CmsDbContext(dbOptions.AddInterceptors(fault).Options);
        await using var scope = Factory.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<WebhookOptions>();
        var start = app.Clock.GetUtcNow();
        var clock = new FakeTimeProvider(start);
        // The request times out on a clock nobody moves: only the renewals follow the sender's clock.
        var a = Sender(scope, clock, requestClock: new FakeTimeProvider(start), db: db).RunOnceAsync(CancellationToken.None);
        await arrived.WaitAsync(TimeSpan.FromSeconds(60));

        clock.Advance(options.LeaseRenewal);
        await fault.Failed.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(start + options.Lease, Deliveries(slowId).Single().ClaimedUntil!.Value, TimeSpan.FromMilliseconds(1));

        // Each look moves the sender's clock on by one tick; how many it takes decides nothing.
        await Eventually.HappensAsync(() =>
        {
            clock.Advance(options.LeaseRenewal);
            return Deliveries(slowId).Single().ClaimedUntil > start + options.Lease;
        }, "a renewal after the refused one");
        await ReleasedAndRecordedByTheLiveSenderAsync(slow, a, slowId, held);
    }

    // REVIEW7 #7: a renewal that fails only after a while (a connect timeout during a failover: the
    // clock moves half a lease while it is under way, 15 s with the defaults) is tried again at once,
    // not a whole LeaseRenewal after the failure, which let the lease lapse after one failure.
    [Fact]
    public async Task A_lease_renewal_that_fails_slowly_is_tried_again_at_once_and_the_lease_never_lapses()
    {
        var clock = new FakeTimeProvider(app.Clock.GetUtcNow());
        await RenewalAfterAFaultAsync(clock, new RenewalFault(async _ =>
        {
            clock.Advance(Options.Lease / 2);
            await Task.Yield();
            throw new NpgsqlException("injected: connecting timed out during a lease renewal");
        }), fault =>
        {
            clock.Advance(Options.LeaseRenewal);
            return fault.Entered;
        });
    }

    // A renewal that hangs (a dead peer, a lock) is cancelled after half the lease it still holds, so
    // the next attempt renews it before it runs out.
    [Fact]
    public async Task A_lease_renewal_that_hangs_is_cancelled_in_time_to_renew_before_the_lease_runs_out()
    {
        var clock = new FakeTimeProvider(app.Clock.GetUtcNow());
        await RenewalAfterAFaultAsync(clock, new RenewalFault(token => Task.Delay(Timeout.Infinite, token)), async fault =>
        {
            clock.Advance(Options.LeaseRenewal);
            await fault.Entered.WaitAsync(TimeSpan.FromSeconds(60));
            // Half what the lease still held at the attempt (10 s of 20 s with the defaults): it is
            // cancelled and tried again.
            clock.Advance((Options.Lease - Options.LeaseRenewal) / 2);
        });
    }

    private WebhookOptions Options => Factory.Services.GetRequiredService<WebhookOptions>();

    // The first renewal meets the fault (brought about by `fault`); the next one succeeds while the
    // clock is still short of the first lease's end, and another sender finds nothing to take over.
    private async Task RenewalAfterAFaultAsync(FakeTimeProvider clock, RenewalFault fault, Func<RenewalFault, Task> faultAsync)
    {
        await using var slow = await WebhookReceiver.StartAsync();
        var (slowId, arrived, held) = await HeldAsync(slow);
        var dbOptions = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(dbOptions, ConnectionString);
        await using var db = new CmsDbContext(dbOptions.AddInterceptors(fault).Options);
        await using var scope = Factory.Services.CreateAsyncScope();
        var start = clock.GetUtcNow();
        var a = Sender(scope, clock, requestClock: new FakeTimeProvider(start), db: db).RunOnceAsync(CancellationToken.None);
        await arrived.WaitAsync(TimeSpan.FromSeconds(60));

        await faultAsync(fault);
        // (A safety net: the sender's clock no longer moves, so a renewal now comes or never does.)
        if (await Task.WhenAny(fault.Renewed, Task.Delay(TimeSpan.FromSeconds(60))) != fault.Renewed)
        {
            Assert.Fail($"no renewal after the fault while the clock stood {clock.GetUtcNow() - start} after the claim (lease {Options.Lease})");
        }
        var renewedAt = clock.GetUtcNow();

        Assert.True(renewedAt < start + Options.Lease, $"renewed {renewedAt - start} after the claim, the lease ran out at {Options.Lease}");
        Assert.Equal(renewedAt + Options.Lease, Deliveries(slowId).Single().ClaimedUntil!.Value, TimeSpan.FromMilliseconds(1));
        await using (var later = Factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await Sender(later, new FakeTimeProvider(start + Options.Lease + Options.LeaseRenewal / 2)).RunOnceAsync(CancellationToken.None));
        }
        await ReleasedAndRecordedByTheLiveSenderAsync(slow, a, slowId, held);
    }

    // The first lease renewal (the UPDATE of claimed_until) meets `fault`; Renewed completes when a
    // later renewal has been written.
    private sealed class RenewalFault(Func<CancellationToken, Task> fault) : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _renewed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public Task Renewed => _renewed.Task;

        private static bool IsRenewal(System.Data.Common.DbCommand command) =>
            command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("claimed_until", StringComparison.Ordinal);

        public override async ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (IsRenewal(command) && _entered.TrySetResult())
            {
                await fault(cancellationToken);
            }
            return result;
        }

        public override ValueTask<int> NonQueryExecutedAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData eventData,
            int result, CancellationToken cancellationToken = default)
        {
            if (IsRenewal(command) && _entered.Task.IsCompleted)
            {
                _renewed.TrySetResult();
            }
            return ValueTask.FromResult(result);
        }
    }

    // Refuses the first lease renewal (the UPDATE of claimed_until) as a dropped connection would.
    private sealed class FailFirstRenewal : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Failed => _failed.Task;

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("claimed_until", StringComparison.Ordinal) && _failed.TrySetResult())
            {
                throw new NpgsqlException("injected: the connection was reset during a lease renewal");
            }
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    // An endpoint whose receiver holds the next request unanswered until released, and the one
    // delivery a publish queues for it; Arrived completes with its webhook-id when it is held.
    private async Task<(long EndpointId, Task<string> Arrived, WebhookDelivery Held)> HeldAsync(WebhookReceiver slow)
    {
        var (endpointId, _) = await EndpointAsync(slow);
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        slow.ThenNoAnswer(id => arrived.TrySetResult(id));
        await app.PublishedAsync(1);
        return (endpointId, arrived.Task, Assert.Single(Deliveries(endpointId)));
    }

    // (Its requests may time out on another clock, and it may use a context of the test's.)
    private static WebhookSender Sender(AsyncServiceScope scope, TimeProvider clock, TimeProvider? requestClock = null, CmsDbContext? db = null)
    {
        var options = scope.ServiceProvider.GetRequiredService<WebhookOptions>();
        return new WebhookSender(db ?? scope.ServiceProvider.GetRequiredService<CmsDbContext>(),
            new WebhookClient(new HttpClient(OutboundGuard.Handler(new OutboundOptions { AllowPrivateNetworks = true })), options, requestClock ?? clock),
            options, clock, NullLogger<WebhookSender>.Instance);
    }

    [Fact]
    public async Task During_a_secret_rotation_both_signatures_are_sent_and_afterwards_only_the_new_one()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, old) = await EndpointAsync(receiver);
        var rotated = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().RotateSecretAsync(Actor.CommandLine(), endpoint, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.True(rotated.Succeeded);
        receiver.Secrets["old"] = old;
        receiver.Secrets["new"] = rotated.Value!;
        receiver.Secrets.TryRemove("current", out _);
        await app.PublishedAsync(1);
        await DrainAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(["new", "old"], request.VerifiedWith.Order());
        Assert.Equal(2, request.Signature.Split(' ').Length);

        var ended = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().RotateSecretAsync(Actor.CommandLine(), endpoint, TimeSpan.Zero, CancellationToken.None));
        receiver.Secrets["newest"] = ended.Value!;
        await app.PublishedAsync(1);
        await DrainAsync();

        Assert.Equal(["newest"], receiver.Requests[1].VerifiedWith);
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_its_later_deliveries_wait()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(receiver);
        receiver.ThenStatus(410);
        await app.PublishedAsync(1);
        await DrainAsync();
        await app.PublishedAsync(1);
        await DrainAsync();

        var stored = Factory.WithDb(db => db.WebhookEndpoints.Single(e => e.Id == endpoint));
        Assert.False(stored.Enabled);
        Assert.Contains("410", stored.DisabledReason);
        Assert.Single(receiver.Requests);
        // Endpoints disabled get no new deliveries; the failed one stays in the log.
        Assert.Equal([WebhookDeliveryStatus.Failed], Deliveries(endpoint).Select(d => d.Status));
        Assert.Single(Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == AuditActions.WebhookEndpointDisabled && a.EntityId == endpoint.ToString()).ToList()));
    }

    [Fact]
    public async Task A_redirect_is_a_failure_and_persistent_failure_disables_the_endpoint_after_the_last_retry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var elsewhere = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(receiver);
        for (var i = 0; i < 10; i++)
        {
            receiver.ThenRedirect(elsewhere.Url);
        }
        await app.PublishedAsync(1);
        await DrainAsync(() => !Factory.WithDb(db => db.WebhookEndpoints.Single(e => e.Id == endpoint).Enabled));

        Assert.Empty(elsewhere.Requests);
        var delivery = Assert.Single(Deliveries(endpoint));
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(6, delivery.Attempts);
        Assert.Contains("redirects are not followed", delivery.LastError);
        Assert.Equal(6, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_replay_sends_the_same_message_again_with_its_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(receiver, DeliveryEvents.Published);
        var id = (await app.PublishedAsync(1))[0];
        Assert.True((await app.MoveAsync([id], WorkflowAction.Withdraw, DeliveryFixture.Publisher, "x")).Succeeded);
        await DrainAsync();
        var delivery = Assert.Single(Deliveries(endpoint));

        var replay = await app.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().ReplayAsync(Actor.CommandLine(), delivery.Id, CancellationToken.None));
        Assert.True(replay.Succeeded, replay.Message);
        await DrainAsync();

        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(receiver.Requests[0].Id, receiver.Requests[1].Id);
        Assert.Equal(receiver.Requests[0].Body, receiver.Requests[1].Body);
        Assert.All(receiver.Requests, r => Assert.Equal("item.published", Body(r).GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "loopback")]
    [InlineData("http://localhost:9/hook", "localhost")]
    [InlineData("http://10.1.2.3/hook", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::1]/hook", "loopback")]
    [InlineData("http://[::ffff:192.168.1.1]/hook", "private")]
    [InlineData("ftp://example.com/hook", "http")]
    [InlineData("https://user:pw@example.com/hook", "password")]
    public void An_endpoint_on_a_private_loopback_or_link_local_address_is_refused_when_added(string url, string reason)
    {
        var problem = OutboundGuard.ProblemWith(url, new OutboundOptions());
        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
        Assert.Null(OutboundGuard.ProblemWith("https://hooks.example.com/x", new OutboundOptions()));
    }

    [Fact]
    public async Task The_guard_refuses_a_private_address_at_connect_time_even_when_the_name_looked_harmless()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // "localhost" resolves to loopback: the address connected to is what is checked.
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var guarded = new WebhookClient(new HttpClient(OutboundGuard.Handler(new OutboundOptions { AllowPrivateNetworks = false })), new WebhookOptions(), TimeProvider.System);
        var allowed = new WebhookClient(new HttpClient(OutboundGuard.Handler(new OutboundOptions { AllowPrivateNetworks = true })), new WebhookOptions(), TimeProvider.System);

        var refused = await guarded.PostAsync(url, "msg_1", 1, "v1,x", "{}", CancellationToken.None);
        var refusedLiteral = await guarded.PostAsync(receiver.Url, "msg_2", 1, "v1,x", "{}", CancellationToken.None);

        Assert.Null(refused.Status);
        Assert.Contains("loopback", refused.Error);
        Assert.Contains("loopback", refusedLiteral.Error);
        Assert.Empty(receiver.Requests);
        Assert.Equal(200, (await allowed.PostAsync(url, "msg_3", 1, "v1,x", "{}", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_stored_endpoint_on_loopback_fails_its_delivery_when_private_networks_are_not_allowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(receiver);
        await using var strict = new CmsFactory(ConnectionString, new Dictionary<string, string?>
        {
            ["Publishing:Worker"] = "false",
            ["Outbound:AllowPrivateNetworks"] = "false",
            ["Webhooks:RetrySchedule"] = "1h",
        });
        await app.PublishedAsync(1);
        using (var scope = strict.Services.CreateScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<WebhookSender>().RunOnceAsync(CancellationToken.None) >= 1);
        }

        Assert.Empty(receiver.Requests);
        var delivery = Assert.Single(Deliveries(endpoint));
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Contains("Outbound__AllowPrivateNetworks is off", delivery.LastError);
    }
}
