using Cms.Core.Items;

namespace Cms.Data.Entities;

public sealed class Topic
{
    public int Id { get; set; }
    public required string Name { get; set; }

    // Lower-cased name: topics are unique regardless of case.
    public required string NormalizedName { get; set; }
    public bool FromImport { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    // The name must have passed TopicNames.TryClean; it is stored as cleaned.
    public static Topic Create(string cleanName, bool fromImport = false) => new()
    {
        Name = cleanName,
        NormalizedName = TopicNames.Normalize(cleanName),
        FromImport = fromImport,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
