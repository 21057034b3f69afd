using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class TopicConfiguration : IEntityTypeConfiguration<Topic>
{
    public void Configure(EntityTypeBuilder<Topic> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        // The categories' key function (one rule for both vocabularies, TopicNames.Normalize).
        builder.Property(t => t.NormalizedName).HasComputedColumnSql(CategoryConfiguration.KeySql, stored: true);
        builder.HasIndex(t => t.NormalizedName).IsUnique();
    }
}
