using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    // The database function giving CategoryNames.Key of a stored (cleaned) name; created by the
    // migration CategoriesOneRegardlessOfCase (CategoryCaseSql).
    public const string KeySql = "cms_category_key(name)";

    public void Configure(EntityTypeBuilder<Category> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.HasIndex(c => c.Name).IsUnique();
        builder.Property(c => c.NormalizedName).HasComputedColumnSql(KeySql, stored: true);
        builder.HasIndex(c => c.NormalizedName).IsUnique();
    }
}
