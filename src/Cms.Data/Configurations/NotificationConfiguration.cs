using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(n => n.UserId).HasMaxLength(450);
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.ActorId).HasMaxLength(450);
        builder.Property(n => n.ActorName).HasMaxLength(256);
        builder.Property(n => n.Reason).HasMaxLength(1000);
        // The inbox, newest first, and a reconnecting browser's "everything after id N".
        builder.HasIndex(n => new { n.UserId, n.Id });
        // The unread count in every page's navigation bar.
        builder.HasIndex(n => n.UserId).HasFilter("read_at IS NULL").HasDatabaseName("ix_notifications_unread");
        // The digest's outbox.
        builder.HasIndex(n => n.Id).HasFilter("emailed_at IS NULL AND read_at IS NULL").HasDatabaseName("ix_notifications_unsent");
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Item>().WithMany().HasForeignKey(n => n.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Comment>().WithMany().HasForeignKey(n => n.CommentId).OnDelete(DeleteBehavior.SetNull);
    }
}
