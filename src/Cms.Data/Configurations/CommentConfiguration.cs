using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> builder)
    {
        builder.Property(c => c.AuthorId).HasMaxLength(450);
        builder.Property(c => c.Body).HasMaxLength(4000);
        builder.Property(c => c.AnchorField).HasMaxLength(32);
        builder.Property(c => c.AnchorUrl).HasMaxLength(4096);
        builder.Property(c => c.ResolvedBy).HasMaxLength(450);
        builder.HasIndex(c => new { c.ItemId, c.Id });
        // The workflow's question "is a blocking thread open on this item?".
        builder.HasIndex(c => c.ItemId).HasFilter("blocking AND resolved_at IS NULL AND deleted_at IS NULL").HasDatabaseName("ix_comments_open_blocking");
        builder.HasOne<Item>().WithMany().HasForeignKey(c => c.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Comment>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Mentions).WithOne().HasForeignKey(m => m.CommentId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class CommentMentionConfiguration : IEntityTypeConfiguration<CommentMention>
{
    public void Configure(EntityTypeBuilder<CommentMention> builder)
    {
        builder.HasKey(m => new { m.CommentId, m.Start });
        builder.Property(m => m.UserId).HasMaxLength(450);
        builder.HasIndex(m => m.UserId);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
