using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class SignInThrottleConfiguration : IEntityTypeConfiguration<SignInThrottle>
{
    public void Configure(EntityTypeBuilder<SignInThrottle> builder)
    {
        builder.HasKey(t => new { t.Account, t.Client });
        builder.Property(t => t.Account).HasMaxLength(256);
        builder.Property(t => t.Client).HasMaxLength(64);
        builder.HasIndex(t => t.UpdatedAt);
    }
}
