using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class StoryWindowKeyConfiguration : IEntityTypeConfiguration<StoryWindowKey>
{
    public void Configure(EntityTypeBuilder<StoryWindowKey> builder)
    {
        builder.ToTable("story_window_keys");
        // The search is `key = k AND at BETWEEN ...`: an index-only range scan per key.
        builder.HasKey(k => new { k.Key, k.At, k.ItemId });
    }
}
