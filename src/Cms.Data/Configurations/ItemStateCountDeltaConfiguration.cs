using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemStateCountDeltaConfiguration : IEntityTypeConfiguration<ItemStateCountDelta>
{
    public void Configure(EntityTypeBuilder<ItemStateCountDelta> builder)
    {
        builder.Property(c => c.State).HasMaxLength(16);
    }
}
