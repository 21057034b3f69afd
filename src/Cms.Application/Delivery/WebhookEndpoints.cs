using Cms.Application.Auditing;
using Cms.Application.Outbound;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Delivery;

// Webhook endpoints: added with the events they want and a `whsec_` secret shown once; the secret
// rotated with an overlap during which both secrets sign; disabled and enabled; a delivery replayed.
public sealed class WebhookEndpoints(CmsDbContext db, OutboundOptions outbound, TimeProvider clock)
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);
    public const int LogLength = 50;

    public sealed record EndpointRow(long Id, string Url, string[] Events, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
        DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? PreviousSecretUntil, DateTimeOffset? FailingSince, int Pending);

    public sealed record LogRow(long Id, string MessageId, string EventType, long ItemId, int Version, WebhookDeliveryStatus Status, int Attempts,
        DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastResponse, string? LastError, DateTimeOffset NextAttemptAt);

    public async Task<Outcome<(long Id, string Secret)>> AddAsync(Actor actor, string? url, IReadOnlyCollection<string> events, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.WebhookEndpointCreated, null, ct) is { } refused)
        {
            return refused;
        }
        url = url?.Trim();
        var problem = url is { Length: > 2048 } ? "is longer than 2048 characters" : OutboundGuard.ProblemWith(url ?? "", outbound);
        if (url is null || problem is not null)
        {
            return Outcome.Invalid("Url", $"The URL {problem}.");
        }
        var chosen = events.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct().ToList();
        if (chosen.Count == 0 || chosen.FirstOrDefault(e => !DeliveryEvents.All.Contains(e)) is { } unknown && unknown.Length > 0)
        {
            return Outcome.Invalid("Events", $"Choose events among {string.Join(", ", DeliveryEvents.All)}.");
        }
        var now = clock.GetUtcNow();
        var endpoint = new WebhookEndpoint { Url = url, Events = [.. chosen], CreatedAt = now, CreatedBy = actor.Name, Secret = WebhookSignature.NewSecret() };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, actor, AuditActions.WebhookEndpointCreated, AuditTargets.Webhook, endpoint.Id.ToString(), new { url, events = chosen });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<(long, string)>.Ok((endpoint.Id, endpoint.Secret), $"Webhook endpoint {endpoint.Id} added.");
    }

    public async Task<Outcome<string>> RotateSecretAsync(Actor actor, long id, TimeSpan overlap, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.WebhookSecretRotated, id, ct) is { } refused)
        {
            return refused;
        }
        if (overlap < TimeSpan.Zero || overlap > DeliverySites.MaxOverlap)
        {
            return Outcome.Invalid("Overlap", $"The overlap is between 0 and {DeliverySites.MaxOverlap.TotalDays:F0} days.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
        {
            return Outcome.NotFound($"No webhook endpoint {id}.");
        }
        var until = clock.GetUtcNow() + overlap;
        endpoint.PreviousSecret = overlap > TimeSpan.Zero ? endpoint.Secret : null;
        endpoint.PreviousSecretUntil = overlap > TimeSpan.Zero ? until : null;
        endpoint.Secret = WebhookSignature.NewSecret();
        AuditLog.Add(db, actor, AuditActions.WebhookSecretRotated, AuditTargets.Webhook, id.ToString(), new { previousSecretUntil = endpoint.PreviousSecretUntil });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<string>.Ok(endpoint.Secret, overlap > TimeSpan.Zero
            ? $"New secret for endpoint {id}; messages carry both signatures until {until:yyyy-MM-dd HH:mm} UTC."
            : $"New secret for endpoint {id}; the old one no longer signs.");
    }

    public Task<Outcome> DisableAsync(Actor actor, long id, CancellationToken ct) => SetEnabledAsync(actor, id, false, ct);

    public Task<Outcome> EnableAsync(Actor actor, long id, CancellationToken ct) => SetEnabledAsync(actor, id, true, ct);

    private async Task<Outcome> SetEnabledAsync(Actor actor, long id, bool enabled, CancellationToken ct)
    {
        if (await GuardAsync(actor, enabled ? AuditActions.WebhookEndpointEnabled : AuditActions.WebhookEndpointDisabled, id, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
        {
            return Outcome.NotFound($"No webhook endpoint {id}.");
        }
        if (endpoint.Enabled == enabled)
        {
            return Outcome.Ok($"Endpoint {id} is already {(enabled ? "enabled" : "disabled")}.");
        }
        endpoint.Enabled = enabled;
        endpoint.DisabledAt = enabled ? null : clock.GetUtcNow();
        endpoint.DisabledReason = enabled ? null : $"disabled by {actor.Name}";
        endpoint.FailingSince = null;
        AuditLog.Add(db, actor, enabled ? AuditActions.WebhookEndpointEnabled : AuditActions.WebhookEndpointDisabled, AuditTargets.Webhook, id.ToString());
        await db.SaveChangesAsync(ct);
        if (enabled)
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{DeliveryRecorder.Channel}', '')", ct);
        }
        await tx.CommitAsync(ct);
        return Outcome.Ok(enabled ? $"Endpoint {id} enabled; its pending deliveries resume." : $"Endpoint {id} disabled.");
    }

    // Sends a delivered (or failed) message to its endpoint again, with the same webhook-id.
    public async Task<Outcome> ReplayAsync(Actor actor, long deliveryId, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.WebhookDeliveryReplayed, deliveryId, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var original = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (original is null)
        {
            return Outcome.NotFound($"No webhook delivery {deliveryId}.");
        }
        if (original.Status == WebhookDeliveryStatus.Pending)
        {
            return Outcome.Invalid("Delivery", "This delivery is still pending; it is sent without a replay.");
        }
        var now = clock.GetUtcNow();
        var replay = new WebhookDelivery
        {
            MessageId = original.MessageId, EndpointId = original.EndpointId, ItemId = original.ItemId,
            Status = WebhookDeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.WebhookDeliveries.Add(replay);
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, actor, AuditActions.WebhookDeliveryReplayed, AuditTargets.Webhook, original.EndpointId.ToString(), new { delivery = deliveryId, replay = replay.Id });
        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{DeliveryRecorder.Channel}', '')", ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Delivery {deliveryId} queued again (delivery {replay.Id}).");
    }

    public async Task<IReadOnlyList<EndpointRow>> ListAsync(CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new EndpointRow(e.Id, e.Url, e.Events, e.Enabled, e.DisabledReason, e.DisabledAt, e.CreatedAt, e.CreatedBy,
                e.PreviousSecretUntil, e.FailingSince,
                db.WebhookDeliveries.Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Pending)))
            .ToListAsync(ct);

    public async Task<IReadOnlyList<LogRow>> LogAsync(long endpointId, CancellationToken ct) =>
        await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId).OrderByDescending(d => d.Id).Take(LogLength)
            .Select(d => new LogRow(d.Id, d.Message!.MessageId, d.Message.EventType, d.ItemId, d.Message.Version, d.Status, d.Attempts,
                d.CreatedAt, d.LastAttemptAt, d.LastStatusCode, d.LastResponse, d.LastError, d.NextAttemptAt))
            .ToListAsync(ct);

    private Task<Outcome?> GuardAsync(Actor actor, string attempted, long? target, CancellationToken ct) =>
        Guard.RequireAsync(db, actor, Permissions.ManageDelivery, "Managing webhooks", new Attempt(attempted, AuditTargets.Webhook, target?.ToString()), ct);
}
