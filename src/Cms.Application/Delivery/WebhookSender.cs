using System.Net;
using System.Text;
using Cms.Application.Auditing;
using Cms.Application.Outbound;
using Cms.Core.Auditing;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Delivery;

// One round of sending webhooks, as the publishing worker drains its outbox, in three steps and
// never a transaction open while a receiver answers: (1) a short transaction leases due deliveries
// (FOR UPDATE SKIP LOCKED, then `claimed_until`/`claimed_by` set, commit: the row locks last
// milliseconds); (2) sign and POST them in parallel with no connection held; (3) a short
// transaction records each result and its audit event, only for deliveries whose lease is still
// this round's. The lease is short and renewed while the requests run; a worker that dies leaves
// its leases to expire (WebhookOptions.Lease, 30 s with the defaults), after which any instance
// takes them over; one that dies after a receiver answered and before recording, or
// whose lease ran out while a receiver was slow, means that message is sent again with the same
// webhook-id (receivers deduplicate on it, as the specification asks). Per endpoint, an item's
// deliveries go out in order: a delivery waits while an earlier one of the same item to the same
// endpoint is pending (leased or not).
// One clock: the app's TimeProvider, for due times, leases, retries and the signature timestamp,
// as the moves that queue deliveries stamp them with it (never the database's now(), which a test
// cannot move and which is another machine's clock); instances keep their clocks synchronized.
public sealed class WebhookSender(CmsDbContext db, WebhookClient client, WebhookOptions options, TimeProvider clock, ILogger<WebhookSender> log)
{
    public static readonly Actor Actor = Actor.System("webhooks");

    private sealed record Claimed(long Id, long EndpointId, long ItemId, int Attempts, string Url, string Secret, string? PreviousSecret,
        DateTimeOffset? PreviousUntil, string MessageId, string EventType, string Payload)
    {
        public int? Status { get; set; }
        public string? Response { get; set; }
        public string? Error { get; set; }
        public TimeSpan? RetryAfter { get; set; }
        public bool Gone { get; set; }
        public bool Succeeded => Status is >= 200 and < 300;
    }

    // Returns how many deliveries it attempted; 0 when nothing was due.
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var lease = Guid.NewGuid();
        var claimedAt = clock.GetUtcNow();
        var claimed = await ClaimAsync(lease, claimedAt, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }
        using (var sending = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var renewing = RenewAsync(lease, claimed.Select(d => d.Id).ToArray(), claimedAt, sending.Token);
            try
            {
                await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
                    async (d, token) => await SendAsync(d, token));
            }
            finally
            {
                await sending.CancelAsync();
                await renewing;
            }
        }
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var tx = await conn.BeginTransactionAsync(ct);
            await RecordAsync(conn, lease, claimed, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return claimed.Count;
    }

    // While the round's requests run, its lease is renewed every LeaseRenewal on the app's clock (the
    // only use of the context meanwhile: SendAsync does not touch it), counted from the last renewal
    // that succeeded, not from the last attempt: a renewal the database refuses (a dropped connection,
    // a failover) often fails only after a connect or command timeout, and waiting a whole
    // LeaseRenewal after that let the lease lapse after one failure (REVIEW7 #7). So a failed attempt
    // is tried again at once, or LeaseRetry after the previous attempt began if it failed quickly
    // (no tight loop against a database that refuses at once), and each attempt is cancelled after
    // half the lease it still holds, leaving time to try again before it runs out. The lease runs out
    // only if renewals keep failing for its whole length; then another sender may send those
    // messages again, which receivers deduplicate by webhook-id.
    private async Task RenewAsync(Guid lease, long[] ids, DateTimeOffset claimedAt, CancellationToken ct)
    {
        var heldUntil = claimedAt + options.Lease;
        var next = claimedAt + options.LeaseRenewal;
        while (true)
        {
            var began = next;
            try
            {
                if (next - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, ct);
                }
                began = clock.GetUtcNow();
                var until = began + options.Lease;
                var left = heldUntil - began;
                using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left / 2 : options.LeaseRetry, clock);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                await db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.ClaimedBy == lease && d.Status == WebhookDeliveryStatus.Pending)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.ClaimedUntil, until), attempt.Token);
                heldUntil = until;
                next = began + options.LeaseRenewal;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                next = began + options.LeaseRetry;
                log.LogWarning(ex, "could not renew the lease of {Count} webhook deliveries (held until {HeldUntil}); trying again at {Next}", ids.Length, heldUntil, next);
            }
        }
    }

    private async Task<List<Claimed>> ClaimAsync(Guid lease, DateTimeOffset now, CancellationToken ct)
    {
        var ids = new List<long>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var claim = new NpgsqlCommand($"""
                UPDATE webhook_deliveries AS u SET claimed_until = @until, claimed_by = @lease
                WHERE u.id IN (
                  SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
                  WHERE d.status = 'Pending' AND d.next_attempt_at <= @now AND (d.claimed_until IS NULL OR d.claimed_until <= @now) AND {HeadOfItem}
                  ORDER BY d.id LIMIT @n FOR UPDATE OF d SKIP LOCKED)
                RETURNING u.id
                """, conn);
            claim.Parameters.AddWithValue("n", options.BatchSize);
            claim.Parameters.AddWithValue("now", now);
            claim.Parameters.AddWithValue("until", now + options.Lease);
            claim.Parameters.AddWithValue("lease", lease);
            // One statement, its own transaction: the row locks end with it.
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (ids.Count == 0)
        {
            return [];
        }
        return await db.WebhookDeliveries.AsNoTracking().Where(d => ids.Contains(d.Id)).OrderBy(d => d.Id)
            .Join(db.WebhookEndpoints, d => d.EndpointId, e => e.Id, (d, e) => new Claimed(d.Id, d.EndpointId, d.ItemId, d.Attempts, e.Url, e.Secret,
                e.PreviousSecretUntil > now ? e.PreviousSecret : null, e.PreviousSecretUntil, d.Message!.MessageId, d.Message.EventType, d.Message.Payload))
            .ToListAsync(ct);
    }

    // No earlier pending delivery of the same item to the same endpoint: d is the first pending one of
    // its (endpoint, item), read in order from the partial index ix_webhook_deliveries_pending_item.
    // (A correlated NOT EXISTS was planned as a nested loop over the whole table before the table's
    // first ANALYZE: 0.8 s a claim at 1,000 pending deliveries, see docs/benchmarks.md.)
    public const string HeadOfItem =
        "d.id IN (SELECT DISTINCT ON (p.endpoint_id, p.item_id) p.id FROM webhook_deliveries p WHERE p.status = 'Pending' ORDER BY p.endpoint_id, p.item_id, p.id)";

    private async Task SendAsync(Claimed d, CancellationToken ct)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var secrets = d.PreviousSecret is null ? [d.Secret] : new[] { d.Secret, d.PreviousSecret };
        var result = await client.PostAsync(d.Url, d.MessageId, timestamp, WebhookSignature.Header(secrets, d.MessageId, timestamp, d.Payload), d.Payload, ct);
        d.Status = result.Status;
        d.Response = result.Body;
        d.Error = result.Error;
        d.RetryAfter = result.RetryAfter;
        d.Gone = result.Status == (int)HttpStatusCode.Gone;
    }

    // Records the answers of the deliveries this round still holds; one whose lease another
    // instance took over meanwhile is that instance's to record (it sent the same message again).
    private async Task RecordAsync(NpgsqlConnection conn, Guid lease, List<Claimed> claimed, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using (var held = new NpgsqlCommand(
            "SELECT id FROM webhook_deliveries WHERE id = ANY(@ids) AND claimed_by = @lease AND status = 'Pending' FOR UPDATE", conn))
        {
            held.Parameters.AddWithValue("ids", claimed.Select(d => d.Id).ToArray());
            held.Parameters.AddWithValue("lease", lease);
            var ours = new HashSet<long>();
            await using (var reader = await held.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    ours.Add(reader.GetInt64(0));
                }
            }
            if (ours.Count < claimed.Count)
            {
                log.LogInformation("{Lost} webhook deliveries were taken over by another sender after their lease ran out; their answers here are not recorded",
                    claimed.Count - ours.Count);
                claimed = claimed.Where(d => ours.Contains(d.Id)).ToList();
            }
        }
        if (claimed.Count == 0)
        {
            return;
        }
        var random = Random.Shared;
        var rows = new List<(long Id, string Status, int Attempts, DateTimeOffset Next, int? Code, string? Response, string? Error, DateTimeOffset? Completed)>();
        var delivered = new List<(string, object?)>();
        var failed = new List<(string, object?)>();
        var disable = new Dictionary<long, string>();
        foreach (var d in claimed)
        {
            var attempts = d.Attempts + 1;
            if (d.Succeeded)
            {
                rows.Add((d.Id, nameof(WebhookDeliveryStatus.Succeeded), attempts, now, d.Status, d.Response, null, now));
                delivered.Add((d.ItemId.ToString(), new { endpoint = d.EndpointId, delivery = d.Id, webhookId = d.MessageId, type = d.EventType, status = d.Status, attempt = attempts }));
                continue;
            }
            var givingUp = d.Gone || attempts >= options.MaxAttempts;
            var wait = options.RetryWait(attempts, d.RetryAfter, random);
            var error = d.Error ?? $"HTTP {d.Status}";
            rows.Add((d.Id, givingUp ? nameof(WebhookDeliveryStatus.Failed) : nameof(WebhookDeliveryStatus.Pending), attempts, now + wait, d.Status, d.Response, error, givingUp ? now : null));
            failed.Add((d.ItemId.ToString(), new { endpoint = d.EndpointId, delivery = d.Id, webhookId = d.MessageId, type = d.EventType, status = d.Status, error, attempt = attempts, retryAt = givingUp ? (DateTimeOffset?)null : now + wait }));
            if (d.Gone)
            {
                disable[d.EndpointId] = "the receiver answered 410 Gone";
            }
            else if (givingUp)
            {
                disable.TryAdd(d.EndpointId, $"failed {attempts} times in a row ({error})");
            }
            log.LogInformation("webhook delivery {Delivery} to endpoint {Endpoint} failed (attempt {Attempt}): {Error}", d.Id, d.EndpointId, attempts, error);
        }
        await using (var update = new NpgsqlCommand("""
            UPDATE webhook_deliveries AS d SET status = u.status, attempts = u.attempts, next_attempt_at = u.next,
              claimed_until = NULL, claimed_by = NULL, last_attempt_at = @now, last_status_code = u.code, last_response = u.response, last_error = u.error, completed_at = u.completed
            FROM unnest(@ids, @statuses, @attempts, @next, @codes, @responses, @errors, @completed)
              AS u(id, status, attempts, next, code, response, error, completed)
            WHERE d.id = u.id
            """, conn))
        {
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            update.Parameters.AddWithValue("statuses", rows.Select(r => r.Status).ToArray());
            update.Parameters.AddWithValue("attempts", rows.Select(r => r.Attempts).ToArray());
            update.Parameters.AddWithValue("next", rows.Select(r => r.Next).ToArray());
            update.Parameters.Add(new NpgsqlParameter<int?[]>("codes", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = rows.Select(r => r.Code).ToArray() });
            DeliveryRecorder.Texts(update, "responses", rows.Select(r => r.Response));
            DeliveryRecorder.Texts(update, "errors", rows.Select(r => r.Error is { } e ? RemoteText.Storable(e, 2000) : null));
            update.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("completed", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = rows.Select(r => r.Completed).ToArray() });
            await update.ExecuteNonQueryAsync(ct);
        }
        await using (var endpoints = new NpgsqlCommand("""
            UPDATE webhook_endpoints AS e SET failing_since = CASE WHEN u.ok THEN NULL ELSE coalesce(e.failing_since, @now) END
            FROM (SELECT endpoint, bool_or(ok) AS ok FROM unnest(@endpoints, @ok) AS x(endpoint, ok) GROUP BY endpoint) AS u
            WHERE e.id = u.endpoint
            """, conn))
        {
            endpoints.Parameters.AddWithValue("now", now);
            endpoints.Parameters.AddWithValue("endpoints", claimed.Select(d => d.EndpointId).ToArray());
            endpoints.Parameters.AddWithValue("ok", claimed.Select(d => d.Succeeded).ToArray());
            await endpoints.ExecuteNonQueryAsync(ct);
        }
        if (disable.Count > 0)
        {
            await using var off = new NpgsqlCommand("""
                UPDATE webhook_endpoints AS e SET enabled = false, disabled_at = @now, disabled_reason = u.reason
                FROM unnest(@ids, @reasons) AS u(id, reason) WHERE e.id = u.id AND e.enabled
                """, conn);
            off.Parameters.AddWithValue("now", now);
            off.Parameters.AddWithValue("ids", disable.Keys.ToArray());
            off.Parameters.AddWithValue("reasons", disable.Values.ToArray());
            await off.ExecuteNonQueryAsync(ct);
            await AuditLog.CopyAsync(conn, Actor, AuditActions.WebhookEndpointDisabled, AuditTargets.Webhook,
                disable.Select(x => (x.Key.ToString(), (object?)new { reason = x.Value })), now, ct);
        }
        if (delivered.Count > 0)
        {
            await AuditLog.CopyAsync(conn, Actor, AuditActions.WebhookDelivered, AuditTargets.Item, delivered, now, ct);
        }
        if (failed.Count > 0)
        {
            await AuditLog.CopyAsync(conn, Actor, AuditActions.WebhookDeliveryFailed, AuditTargets.Item, failed, now, ct);
        }
    }

    // When a delivery is next due (its endpoint enabled, no earlier one of its item pending), for the loop's sleep.
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var next = new NpgsqlCommand($"""
                SELECT min(greatest(d.next_attempt_at, d.claimed_until))
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
                WHERE d.status = 'Pending' AND {HeadOfItem}
                """, (NpgsqlConnection)db.Database.GetDbConnection());
            return await next.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

// The one HTTP client for webhooks: every connection through the outbound guard, no redirects
// followed, a per-request timeout, the answer's first 2,000 characters kept for the delivery log.
// The timeout runs on the app's TimeProvider, so a test decides when a silent receiver has timed out.
public sealed class WebhookClient(HttpClient http, WebhookOptions options, TimeProvider time)
{
    public const int MaxResponse = 2000;

    public sealed record Result(int? Status, string? Body, string? Error, TimeSpan? RetryAfter);

    public async Task<Result> PostAsync(string url, string messageId, long timestamp, string signature, string body, CancellationToken ct)
    {
        using var expiry = new CancellationTokenSource(options.Timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("webhook-id", messageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        request.Headers.TryAddWithoutValidation("User-Agent", "Cms-Webhooks/1");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var text = await ReadCappedAsync(response, timeout.Token);
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - time.GetUtcNow() : null)
                : null;
            string? error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => $"HTTP {status}: redirects are not followed{(response.Headers.Location is { } to ? $" (to {to})" : "")}",
                _ => $"HTTP {status}",
            };
            return new Result(status, text, error, retryAfter is { } r && r < TimeSpan.Zero ? TimeSpan.Zero : retryAfter);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Result(null, null, $"no answer within {options.Timeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException ex)
        {
            return new Result(null, null, ex.InnerException is Outbound.OutboundRefusedException inner ? inner.Message : ex.Message, null);
        }
    }

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new char[MaxResponse];
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return RemoteText.Storable(new string(buffer, 0, read), MaxResponse);
    }
}
