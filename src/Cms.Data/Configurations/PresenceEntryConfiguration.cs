using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class PresenceEntryConfiguration : IEntityTypeConfiguration<PresenceEntry>
{
    public void Configure(EntityTypeBuilder<PresenceEntry> builder)
    {
        builder.ToTable("presence");
        builder.HasKey(p => p.ConnectionId);
        builder.Property(p => p.UserId).HasMaxLength(450);
        builder.Property(p => p.Instance).HasMaxLength(200);
        builder.HasIndex(p => p.ItemId);
        builder.HasIndex(p => p.Instance);
        builder.HasIndex(p => p.SeenAt);
        builder.HasOne<Item>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
