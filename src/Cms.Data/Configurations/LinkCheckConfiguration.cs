using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class LinkCheckConfiguration : IEntityTypeConfiguration<LinkCheck>
{
    public void Configure(EntityTypeBuilder<LinkCheck> builder)
    {
        builder.HasKey(c => c.Url);
        builder.Property(c => c.Status).HasMaxLength(16);
        builder.Property(c => c.PendingMethod).HasMaxLength(8);
        builder.Property(c => c.Hops).HasColumnType("jsonb");
        builder.Property(c => c.PendingHops).HasColumnType("jsonb");
        // The checker's discovery inserts rows in SQL without it.
        builder.Property(c => c.Deferrals).HasDefaultValue(0);
        // The checker's question: what is due for this host.
        builder.HasIndex(c => new { c.PendingHost, c.NextAt });
        builder.HasIndex(c => c.Status);
    }
}

public sealed class LinkHostConfiguration : IEntityTypeConfiguration<LinkHost>
{
    public void Configure(EntityTypeBuilder<LinkHost> builder)
    {
        builder.HasKey(h => h.Host);
        builder.Property(h => h.LeaseOwner).HasMaxLength(200);
        builder.HasIndex(h => h.NextAt);
    }
}

public sealed class LinkDiscoveryConfiguration : IEntityTypeConfiguration<LinkDiscovery>
{
    public void Configure(EntityTypeBuilder<LinkDiscovery> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
    }
}

public sealed class LinkUseConfiguration : IEntityTypeConfiguration<LinkUse>
{
    public void Configure(EntityTypeBuilder<LinkUse> builder)
    {
        builder.HasKey(u => u.RelatedLinkId);
        builder.HasOne<RelatedLink>().WithMany().HasForeignKey(u => u.RelatedLinkId).OnDelete(DeleteBehavior.Cascade);
        // From a broken URL to the links that use it.
        builder.HasIndex(u => u.Url);
    }
}
