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

    public static Topic Create(string name, bool fromImport = false) => new()
    {
        Name = name.Trim(),
        NormalizedName = TopicNames.Normalize(name),
        FromImport = fromImport,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
