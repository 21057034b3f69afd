using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public const int MaxNameLength = 100;
    public const int MaxQueryLength = 4000;

    public void Configure(EntityTypeBuilder<SavedView> builder)
    {
        builder.Property(v => v.Name).HasMaxLength(MaxNameLength);
        builder.Property(v => v.OwnerId).HasMaxLength(450);
        builder.Property(v => v.OwnerName).HasMaxLength(256);
        builder.Property(v => v.Query).HasMaxLength(MaxQueryLength);
        builder.Property(v => v.SharedWith).HasMaxLength(64);
        builder.HasIndex(v => new { v.OwnerId, v.Name }).IsUnique();
        builder.HasIndex(v => v.SharedWith).HasFilter("shared_with IS NOT NULL");
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(v => v.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class SavedViewChoiceConfiguration : IEntityTypeConfiguration<SavedViewChoice>
{
    public void Configure(EntityTypeBuilder<SavedViewChoice> builder)
    {
        builder.HasKey(c => new { c.UserId, c.ViewId });
        builder.Property(c => c.UserId).HasMaxLength(450);
        builder.HasIndex(c => c.UserId).IsUnique().HasFilter("is_default").HasDatabaseName("ix_saved_view_choices_default");
        builder.HasIndex(c => c.ViewId);
        builder.HasOne<SavedView>().WithMany().HasForeignKey(c => c.ViewId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
