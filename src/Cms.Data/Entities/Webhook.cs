namespace Cms.Data.Entities;

// A receiver of Standard Webhooks (https://www.standardwebhooks.com): the events it wants and its
// signing secret(s). During a rotation's overlap both secrets sign every message.
public sealed class WebhookEndpoint
{
    public long Id { get; set; }
    public required string Url { get; set; }
    public string[] Events { get; set; } = [];
    public bool Enabled { get; set; } = true;
    public string? DisabledReason { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    // whsec_<base64>: readable by the application, which must sign with it; shown to people once.
    public required string Secret { get; set; }
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretUntil { get; set; }

    // Since when every attempt has failed (null after a success): the auto-disable rule reads it.
    public DateTimeOffset? FailingSince { get; set; }
}

// One event about one item version (item.published, item.corrected, item.withdrawn): its
// webhook-id and the exact body every endpoint receives, fixed when the move commits.
public sealed class WebhookMessage
{
    public long Id { get; set; }
    public required string MessageId { get; set; }
    public long ItemId { get; set; }
    public int Version { get; set; }
    public required string EventType { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}

// One message to one endpoint: the outbox row the worker sends, retries and logs.
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long MessageId { get; set; }
    public long EndpointId { get; set; }
    public long ItemId { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastResponse { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    // The sender's lease: which round claimed it and until when (the app's clock). No transaction is
    // held while a receiver answers; a lease past its time is taken over by any instance.
    public DateTimeOffset? ClaimedUntil { get; set; }
    public Guid? ClaimedBy { get; set; }
    public WebhookMessage? Message { get; set; }
}
