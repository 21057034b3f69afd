using Cms.Core.Auditing;

namespace Cms.Data.Entities;

// One event of the append-only, hash-chained audit trail. Payload is the canonical content
// (AuditRecord) exactly as hashed; the other columns repeat its envelope for queries. Seq,
// PrevHash and Hash are assigned by the database trigger, in commit order, under the chain lock.
public sealed class AuditEvent
{
    public long Id { get; set; }
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    public string? ActorId { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? Ip { get; set; }
    public string? RequestId { get; set; }
    public required string Payload { get; set; }
    public string? PrevHash { get; set; }
    public string? Hash { get; set; }

    // The event's data (field changes, reason, ...) as JSON text, read from the payload.
    public string? Data => AuditRecord.DataOf(Payload);
}
