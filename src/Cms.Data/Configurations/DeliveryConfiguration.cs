using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class PublishedItemConfiguration : IEntityTypeConfiguration<PublishedItem>
{
    public const string Sequence = "delivery_seq";

    public void Configure(EntityTypeBuilder<PublishedItem> builder)
    {
        builder.HasKey(p => p.ItemId);
        builder.Property(p => p.ItemId).ValueGeneratedNever();
        builder.Property(p => p.Category).HasMaxLength(200);
        builder.Property(p => p.OutputHash).HasMaxLength(64);
        builder.HasIndex(p => p.Seq).IsUnique();
        // Newest-first feeds of one category or topic (the topic by its key, whatever the case asked).
        builder.HasIndex(p => new { p.Category, p.Seq });
        builder.HasIndex(p => p.TopicKeys).HasMethod("GIN");
        builder.HasOne<Item>().WithOne().HasForeignKey<PublishedItem>(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class DeliverySiteConfiguration : IEntityTypeConfiguration<DeliverySite>
{
    public void Configure(EntityTypeBuilder<DeliverySite> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(100);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.HasMany(s => s.Tokens).WithOne().HasForeignKey(t => t.SiteId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class DeliveryTokenConfiguration : IEntityTypeConfiguration<DeliveryToken>
{
    public void Configure(EntityTypeBuilder<DeliveryToken> builder)
    {
        builder.Property(t => t.Hash).HasMaxLength(64);
        builder.Property(t => t.Hint).HasMaxLength(8);
        builder.HasIndex(t => t.Hash).IsUnique();
    }
}

public sealed class DeliveryAccessFailureConfiguration : IEntityTypeConfiguration<DeliveryAccessFailure>
{
    public void Configure(EntityTypeBuilder<DeliveryAccessFailure> builder)
    {
        builder.HasKey(f => new { f.Key, f.Hour });
        builder.Property(f => f.Key).HasMaxLength(80);
    }
}

public sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.Property(e => e.Url).HasMaxLength(2048);
        builder.Property(e => e.DisabledReason).HasMaxLength(500);
        builder.Property(e => e.CreatedBy).HasMaxLength(256);
        builder.Property(e => e.Secret).HasMaxLength(100);
        builder.Property(e => e.PreviousSecret).HasMaxLength(100);
    }
}

public sealed class WebhookMessageConfiguration : IEntityTypeConfiguration<WebhookMessage>
{
    public void Configure(EntityTypeBuilder<WebhookMessage> builder)
    {
        builder.Property(m => m.MessageId).HasMaxLength(64);
        builder.Property(m => m.EventType).HasMaxLength(32);
        builder.HasIndex(m => m.MessageId).IsUnique();
        builder.HasIndex(m => new { m.ItemId, m.Id });
        builder.HasOne<Item>().WithMany().HasForeignKey(m => m.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastResponse).HasMaxLength(2000);
        builder.Property(d => d.LastError).HasMaxLength(2000);
        // The sender's claim: due pending deliveries in order; and "is an earlier one of this item
        // still pending for this endpoint" (order per item).
        builder.HasIndex(d => new { d.NextAttemptAt, d.Id }).HasFilter("status = 'Pending'").HasDatabaseName("ix_webhook_deliveries_due");
        builder.HasIndex(d => new { d.EndpointId, d.ItemId, d.Id }).HasFilter("status = 'Pending'").HasDatabaseName("ix_webhook_deliveries_pending_item");
        // The delivery log of one endpoint, newest first.
        builder.HasIndex(d => new { d.EndpointId, d.Id });
        builder.HasOne(d => d.Message).WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}
