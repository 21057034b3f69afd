using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class UsedAuthenticatorCodeConfiguration : IEntityTypeConfiguration<UsedAuthenticatorCode>
{
    public void Configure(EntityTypeBuilder<UsedAuthenticatorCode> builder)
    {
        builder.HasKey(c => new { c.UserId, c.Code });
        builder.Property(c => c.Code).HasMaxLength(16);
        builder.HasOne<CmsUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
