namespace Cms.Application.Tests;

// Item files for these tests. (To be replaced by the shared Cms.Testing builder.)
public static class Items
{
    public static string Yaml(string title, string[]? topics = null, string[]? related = null, string? category = null, int quality = 50, bool published = false)
    {
        var yaml = new System.Text.StringBuilder("---\n");
        yaml.Append($"title: \"{title}\"\n");
        yaml.Append($"originalUrl: \"https://news.example/{Guid.NewGuid():N}\"\n");
        yaml.Append("publishedDateTime: 2024-01-01T10:00:00Z\n");
        if (category is not null)
        {
            yaml.Append($"category: {category}\n");
        }
        yaml.Append($"quality: {quality}\npublished: {(published ? "true" : "false")}\n");
        if (topics is { Length: > 0 })
        {
            yaml.Append("topics:\n").Append(string.Concat(topics.Select(t => $"  - \"{t}\"\n")));
        }
        if (related is { Length: > 0 })
        {
            yaml.Append("related:\n").Append(string.Concat(related.Select((url, i) => $"  - title: \"Related {i}\"\n    webUrl: \"{url}\"\n")));
        }
        return yaml.Append("---\n").ToString();
    }
}
