using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Cms.Data.Configurations;

// The triggers, the chain lock and the privileges are hand-written SQL (migrations' AuditTrailSql).
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
        // Set by the BEFORE INSERT trigger and read back through RETURNING.
        var seq = builder.Property(a => a.Seq).ValueGeneratedOnAdd();
        seq.Metadata.SetValueGenerationStrategy(NpgsqlValueGenerationStrategy.None);
        builder.Property(a => a.PrevHash).HasColumnType("character(64)").IsRequired().ValueGeneratedOnAdd();
        builder.Property(a => a.Hash).HasColumnType("character(64)").IsRequired().ValueGeneratedOnAdd();
        builder.Ignore(a => a.Data);
        builder.HasIndex(a => a.Seq).IsUnique();
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => new { a.EntityType, a.EntityId, a.Seq });
        builder.HasIndex(a => new { a.Actor, a.Seq });
        builder.HasIndex(a => new { a.Action, a.Seq });
    }
}
