using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemAssignmentConfiguration : IEntityTypeConfiguration<ItemAssignment>
{
    public void Configure(EntityTypeBuilder<ItemAssignment> builder)
    {
        builder.HasKey(a => a.ItemId);
        builder.Property(a => a.UserId).HasMaxLength(450);
        builder.Property(a => a.AssignedBy).HasMaxLength(450);
        // The queue's "assigned to me".
        builder.HasIndex(a => new { a.UserId, a.ItemId });
        builder.HasOne<Item>().WithOne().HasForeignKey<ItemAssignment>(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
