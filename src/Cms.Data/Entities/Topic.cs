namespace Cms.Data.Entities;

public sealed class Topic
{
    public int Id { get; set; }
    public required string Name { get; set; }

    // TopicNames.Normalize of the name, computed by the database (cms_category_key, the categories'
    // rule): unique, so the vocabulary holds no two names that differ only in letter case, whoever
    // writes the row.
    public string NormalizedName { get; private set; } = "";
    public bool FromImport { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    // The name must have passed TopicNames.TryClean; it is stored as cleaned.
    public static Topic Create(string cleanName, bool fromImport = false) => new()
    {
        Name = cleanName,
        FromImport = fromImport,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
