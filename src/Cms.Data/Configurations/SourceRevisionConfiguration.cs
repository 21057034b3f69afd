using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class SourceRevisionConfiguration : IEntityTypeConfiguration<SourceRevision>
{
    public void Configure(EntityTypeBuilder<SourceRevision> builder)
    {
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.SourceHash).HasMaxLength(64);
        builder.HasIndex(r => new { r.ItemId, r.SourceHash }).IsUnique();
    }
}
