using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemLeaseConfiguration : IEntityTypeConfiguration<ItemLease>
{
    public void Configure(EntityTypeBuilder<ItemLease> builder)
    {
        builder.HasKey(l => new { l.ItemId, l.UserName });
        builder.Property(l => l.UserName).HasMaxLength(256);
        builder.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}
