using System.Text.Json;
using Cms.Data.Entities;

namespace Cms.Data;

// The single seam where audit events are written. Events are added to the caller's context, so
// they commit in the same transaction as the change they describe.
public static class AuditLog
{
    public const string System = "system";

    public static AuditEvent Add(CmsDbContext db, string actor, string action, string? entityType, string? entityId, object? data = null)
    {
        var audit = new AuditEvent
        {
            At = DateTimeOffset.UtcNow,
            Actor = actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Data = data is null ? null : JsonSerializer.Serialize(data),
        };
        db.AuditEvents.Add(audit);
        return audit;
    }
}
