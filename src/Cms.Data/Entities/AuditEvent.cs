using Cms.Core.Auditing;

namespace Cms.Data.Entities;

// One event of the append-only, hash-chained audit trail. Payload is the canonical content
// (AuditRecord) exactly as hashed; the other columns repeat its envelope for queries. Writers insert
// events unsealed (Seq, PrevHash and Hash null, in the same transaction as their change); the
// sealer (audit_seal(), AuditSealer) chains committed events shortly after, in one total order.
// Id is the insertion order and what pages sort by; Seq is the chain's order.
public sealed class AuditEvent
{
    public long Id { get; set; }
    public long? Seq { get; set; }
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
