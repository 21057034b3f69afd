using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class RelatedLinkConfiguration : IEntityTypeConfiguration<RelatedLink>
{
    public void Configure(EntityTypeBuilder<RelatedLink> builder)
    {
        builder.Property(r => r.Decision).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.ItemId, r.Position }).IsUnique();
        builder.HasIndex(r => r.ItemId).HasFilter("decision = 'Pending'").HasDatabaseName("ix_related_links_pending");
        // Reopen of a merged item finds the link its merge added. No foreign key: a link outlives
        // nothing here (items are never deleted) and the importer's COPY stays as it is.
        builder.HasIndex(r => r.MergedFromItemId).HasFilter("merged_from_item_id IS NOT NULL");
    }
}
