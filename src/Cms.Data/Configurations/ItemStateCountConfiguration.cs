using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemStateCountConfiguration : IEntityTypeConfiguration<ItemStateCount>
{
    public void Configure(EntityTypeBuilder<ItemStateCount> builder)
    {
        builder.HasKey(c => c.State);
        builder.Property(c => c.State).HasMaxLength(16);
    }
}
