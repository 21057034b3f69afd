using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class StoryTermCountConfiguration : IEntityTypeConfiguration<StoryTermCount>
{
    public void Configure(EntityTypeBuilder<StoryTermCount> builder)
    {
        builder.HasKey(t => t.Term);
        builder.Property(t => t.Term).ValueGeneratedNever();
    }
}
