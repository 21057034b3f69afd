namespace Cms.Core.Talk;

// What a comment may be anchored to: one of the item's fields, or one of its related links by
// its normalized URL (a link is identified by its URL, never by its position).
public static class CommentAnchors
{
    public static readonly IReadOnlyList<string> Fields = ["title", "excerpt", "quality", "category", "topics", "images", "source"];

    public static bool IsField(string? name) => name is not null && Fields.Contains(name, StringComparer.Ordinal);
}
