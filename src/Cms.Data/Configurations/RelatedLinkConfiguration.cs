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
        // One URL is one link per item.
        builder.HasIndex(r => new { r.ItemId, r.Identity }).IsUnique().HasFilter("identity IS NOT NULL");
        // The links LinkIdentityBackfill looks at on every start: rows stored before identities (and
        // the later entries of a URL listed twice, which it leaves without one). Nearly empty.
        builder.HasIndex(r => r.ItemId, "IdentityUnset").HasFilter("identity IS NULL AND is_safe_url").HasDatabaseName("ix_related_links_identity_unset");
        builder.HasIndex(r => r.ItemId).HasFilter("decision = 'Pending'").HasDatabaseName("ix_related_links_pending");
        // Reopen of a merged item finds the link its merge added. No foreign key: a link outlives
        // nothing here (items are never deleted) and the importer's COPY stays as it is.
        builder.HasIndex(r => r.MergedFromItemId).HasFilter("merged_from_item_id IS NOT NULL");
    }
}
