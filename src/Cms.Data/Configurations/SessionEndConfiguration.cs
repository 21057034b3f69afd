using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class SessionEndConfiguration : IEntityTypeConfiguration<SessionEnd>
{
    public const int MaxNoticeLength = 300;

    public void Configure(EntityTypeBuilder<SessionEnd> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.Notice).HasMaxLength(MaxNoticeLength);
        builder.HasIndex(s => s.ExpiresAt);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
