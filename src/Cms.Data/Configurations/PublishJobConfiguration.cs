using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class PublishJobConfiguration : IEntityTypeConfiguration<PublishJob>
{
    public void Configure(EntityTypeBuilder<PublishJob> builder)
    {
        builder.Property(j => j.Trigger).HasConversion<string>().HasMaxLength(32);
        builder.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.RequestedBy).HasMaxLength(256);
        builder.Property(j => j.LastError).HasMaxLength(2000);
        builder.Property(j => j.Result).HasMaxLength(16);
        builder.Property(j => j.FileName).HasMaxLength(260);
        builder.Property(j => j.ContentHash).HasMaxLength(64);
        builder.Property(j => j.Worker).HasMaxLength(200);
        // The worker's claim: due pending jobs in order.
        builder.HasIndex(j => new { j.NextAttemptAt, j.Id }).HasFilter("status = 'Pending'").HasDatabaseName("ix_publish_jobs_due");
        builder.HasIndex(j => new { j.ItemId, j.Id });
        builder.HasOne<Item>().WithMany().HasForeignKey(j => j.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
