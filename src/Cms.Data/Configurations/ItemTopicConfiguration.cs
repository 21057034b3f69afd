using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemTopicConfiguration : IEntityTypeConfiguration<ItemTopic>
{
    public void Configure(EntityTypeBuilder<ItemTopic> builder)
    {
        builder.HasKey(t => new { t.ItemId, t.TopicId });
        builder.HasIndex(t => new { t.TopicId, t.ItemId });
        builder.HasOne(t => t.Topic).WithMany().HasForeignKey(t => t.TopicId).OnDelete(DeleteBehavior.Cascade);
    }
}
