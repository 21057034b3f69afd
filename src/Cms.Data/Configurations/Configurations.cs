using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public const string QueuePredicate = "state IN ('New', 'Ready')";

    public void Configure(EntityTypeBuilder<Item> builder)
    {
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.SourceHash).HasMaxLength(64);
        builder.Property(i => i.ImagesJson).HasColumnType("jsonb");
        builder.HasIndex(i => i.OriginalUrl).IsUnique();
        // The queue: unpublished items, newest first, keyset on (published_at, id).
        builder.HasIndex(i => new { i.State, i.PublishedAt, i.Id });
        builder.HasIndex(i => new { i.Category, i.PublishedAt });
        builder.HasIndex(i => new { i.ProviderDomain, i.PublishedAt });
        builder.HasIndex(i => i.Quality);
        builder.HasIndex(i => i.SourceChanged).HasFilter("source_changed");
        builder.HasIndex(i => new { i.Quality, i.Id });
        builder.HasIndex(i => new { i.Heat, i.Id });
        // The default queue ("not yet published") in each sort order, as partial indexes whose
        // predicate matches the constant filter QueueQuery.WithState writes.
        builder.HasIndex(i => new { i.PublishedAt, i.Id }, "ix_items_queue_date").HasFilter(QueuePredicate).HasDatabaseName("ix_items_queue_date");
        builder.HasIndex(i => new { i.Quality, i.Id }, "ix_items_queue_quality").HasFilter(QueuePredicate).HasDatabaseName("ix_items_queue_quality");
        builder.HasIndex(i => new { i.Heat, i.Id }, "ix_items_queue_heat").HasFilter(QueuePredicate).HasDatabaseName("ix_items_queue_heat");
        builder.Property(i => i.SearchVector).HasComputedColumnSql(
            "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, '')) || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(excerpt, ''))",
            stored: true);
        builder.HasIndex(i => i.SearchVector).HasMethod("GIN");
        builder.HasMany(i => i.RelatedLinks).WithOne(r => r.Item).HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Topics).WithOne().HasForeignKey(t => t.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Revisions).WithOne().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class RelatedLinkConfiguration : IEntityTypeConfiguration<RelatedLink>
{
    public void Configure(EntityTypeBuilder<RelatedLink> builder)
    {
        builder.Property(r => r.Decision).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.ItemId, r.Position }).IsUnique();
        builder.HasIndex(r => r.ItemId).HasFilter("decision = 'Pending'").HasDatabaseName("ix_related_links_pending");
    }
}

public sealed class TopicConfiguration : IEntityTypeConfiguration<Topic>
{
    public void Configure(EntityTypeBuilder<Topic> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.NormalizedName).HasMaxLength(100);
        builder.HasIndex(t => t.NormalizedName).IsUnique();
    }
}

public sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.HasIndex(c => c.Name).IsUnique();
    }
}

public sealed class ItemTopicConfiguration : IEntityTypeConfiguration<ItemTopic>
{
    public void Configure(EntityTypeBuilder<ItemTopic> builder)
    {
        builder.HasKey(t => new { t.ItemId, t.TopicId });
        builder.HasIndex(t => new { t.TopicId, t.ItemId });
        builder.HasOne(t => t.Topic).WithMany().HasForeignKey(t => t.TopicId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class SourceRevisionConfiguration : IEntityTypeConfiguration<SourceRevision>
{
    public void Configure(EntityTypeBuilder<SourceRevision> builder)
    {
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.SourceHash).HasMaxLength(64);
        builder.HasIndex(r => new { r.ItemId, r.SourceHash }).IsUnique();
    }
}

public sealed class ItemStateCountConfiguration : IEntityTypeConfiguration<ItemStateCount>
{
    public void Configure(EntityTypeBuilder<ItemStateCount> builder)
    {
        builder.HasKey(c => c.State);
        builder.Property(c => c.State).HasMaxLength(16);
    }
}

public sealed class ItemLeaseConfiguration : IEntityTypeConfiguration<ItemLease>
{
    public void Configure(EntityTypeBuilder<ItemLease> builder)
    {
        builder.HasKey(l => new { l.ItemId, l.UserName });
        builder.Property(l => l.UserName).HasMaxLength(256);
        builder.HasOne<Item>().WithMany().HasForeignKey(l => l.ItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Actor).HasMaxLength(256);
        builder.Property(a => a.EntityType).HasMaxLength(64);
        builder.Property(a => a.EntityId).HasMaxLength(64);
        builder.Property(a => a.Data).HasColumnType("jsonb");
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => new { a.EntityType, a.EntityId });
    }
}

// Roles are data the code depends on, so a migration creates them with fixed ids.
public sealed class RoleConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> builder)
    {
        builder.HasData(
            Role("8d1b6c0e-0000-4000-8000-000000000001", Roles.Admin),
            Role("8d1b6c0e-0000-4000-8000-000000000002", Roles.Publisher),
            Role("8d1b6c0e-0000-4000-8000-000000000003", Roles.Editor));
    }

    private static IdentityRole Role(string id, string name) => new(name)
    {
        Id = id,
        NormalizedName = name.ToUpperInvariant(),
        ConcurrencyStamp = id,
    };
}
