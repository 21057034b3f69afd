using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

// The triggers, the sealing function and the privileges are hand-written SQL (migrations'
// AuditTrailSql, AuditSealingSql).
public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.ActorId).HasMaxLength(450);
        builder.Property(a => a.EntityType).HasMaxLength(64);
        builder.Property(a => a.EntityId).HasMaxLength(64);
        builder.Property(a => a.Ip).HasMaxLength(64);
        builder.Property(a => a.RequestId).HasMaxLength(128);
        // text, not jsonb: jsonb would reorder keys and the hashed bytes could not be reproduced.
        builder.Property(a => a.Payload).HasColumnType("text");
        // Null until sealed; only audit_seal() assigns them (a writer that sends them is refused).
        builder.Property(a => a.Seq).HasColumnType("bigint");
        builder.Property(a => a.PrevHash).HasColumnType("character(64)");
        builder.Property(a => a.Hash).HasColumnType("character(64)");
        builder.Ignore(a => a.Data);
        // The chain (sealed events only) and the sealer's work list (unsealed events only).
        builder.HasIndex(a => a.Seq).IsUnique().HasFilter("seq IS NOT NULL");
        builder.HasIndex(a => a.Id).HasDatabaseName("ix_audit_events_unsealed").HasFilter("seq IS NULL");
        // Pages read newest first by id, which every event has from its insert.
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => new { a.EntityType, a.EntityId, a.Id }).HasDatabaseName("ix_audit_events_target");
        builder.HasIndex(a => new { a.Actor, a.Id }).HasDatabaseName("ix_audit_events_by_actor");
        // The audit page's actor filter matches any part of the name (ILIKE '%…%'): trigrams.
        builder.HasIndex(a => a.Actor).HasDatabaseName("ix_audit_events_actor_trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.HasIndex(a => new { a.Action, a.Id }).HasDatabaseName("ix_audit_events_by_action");
    }
}
