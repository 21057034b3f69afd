using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class DigestRefusalConfiguration : IEntityTypeConfiguration<DigestRefusal>
{
    public void Configure(EntityTypeBuilder<DigestRefusal> builder)
    {
        builder.HasKey(r => r.UserId);
        builder.Property(r => r.UserId).HasMaxLength(450);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
