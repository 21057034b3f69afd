using Cms.Core.FrontMatter;

namespace Cms.Core.Items;

// Validates the fields ITEM_FORMAT.md defines and builds the typed view. Fields it does not know
// are not checked: they belong to the pipeline and are only carried through.
public sealed class ItemParser(IFrontMatterReader reader)
{
    public const int MaxTopicLength = 100;

    public ParsedItem Parse(string path, ReadOnlySpan<byte> bytes) => Validate(reader.Read(path, bytes));

    public ParsedItem ParseText(string path, string text) => Validate(reader.ReadText(path, text));

    public static ParsedItem Validate(FrontMatterDocument doc)
    {
        var v = new Fields(doc.Path);
        var root = doc.Root;

        var title = v.String(root, "title", required: true)!;
        if (string.IsNullOrWhiteSpace(title))
        {
            throw v.Fail(root["title"], "title", "must not be empty");
        }
        var originalUrl = v.String(root, "originalUrl", required: true)!;
        if (!UrlRules.IsAbsoluteHttp(originalUrl, out var original))
        {
            throw v.Fail(root["originalUrl"], "originalUrl", "must be an absolute http(s) URL");
        }
        var webUrl = v.String(root, "webUrl");
        if (webUrl is not null && !UrlRules.IsAbsoluteHttp(webUrl))
        {
            throw v.Fail(root["webUrl"], "webUrl", "must be an absolute http(s) URL");
        }
        var quality = v.Int(root, "quality");
        if (quality is < 0 or > 100)
        {
            throw v.Fail(root["quality"], "quality", "must be an integer from 0 to 100");
        }
        var provider = v.Mapping(root, "provider");

        return new ParsedItem(
            doc,
            title,
            v.String(root, "excerpt"),
            v.String(root, "category"),
            v.String(root, "type"),
            provider is null ? null : v.String(provider, "name", "provider."),
            provider is null ? null : v.String(provider, "domain", "provider."),
            v.Timestamp(root, "publishedDateTime"),
            originalUrl,
            UrlRules.NormalizeOriginalUrl(original!),
            webUrl,
            (int?)quality,
            (int?)v.Int(root, "heat"),
            v.Bool(root, "published") ?? false,
            Topics(v, root),
            Related(v, root),
            Images(v, root),
            v.String(root, "secured"));
    }

    private static List<string> Topics(Fields v, SourceMapping root)
    {
        var topics = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = v.Sequence(root, "topics");
        if (list is null)
        {
            return topics;
        }
        for (var i = 0; i < list.Items.Count; i++)
        {
            var field = $"topics[{i}]";
            if (list.Items[i] is not SourceScalar scalar || scalar.IsNull)
            {
                throw v.Fail(list.Items[i], field, "must be a string");
            }
            var topic = scalar.Value.Trim();
            if (topic.Length is 0 or > MaxTopicLength)
            {
                throw v.Fail(scalar, field, $"must be 1 to {MaxTopicLength} characters");
            }
            if (seen.Add(TopicNames.Normalize(topic)))
            {
                topics.Add(topic);
            }
        }
        return topics;
    }

    private static List<ParsedRelated> Related(Fields v, SourceMapping root)
    {
        var related = new List<ParsedRelated>();
        var list = v.Sequence(root, "related");
        if (list is null)
        {
            return related;
        }
        for (var i = 0; i < list.Items.Count; i++)
        {
            var prefix = $"related[{i}].";
            if (list.Items[i] is not SourceMapping link)
            {
                throw v.Fail(list.Items[i], $"related[{i}]", "must be a mapping");
            }
            var url = v.String(link, "webUrl", prefix);
            var provider = v.Mapping(link, "provider", prefix);
            var quality = v.Int(link, "quality", prefix);
            related.Add(new ParsedRelated(
                i,
                v.String(link, "title", prefix),
                v.String(link, "excerpt", prefix),
                url,
                UrlRules.IsAbsoluteHttp(url),
                provider is null ? null : v.String(provider, "name", prefix + "provider."),
                provider is null ? null : v.String(provider, "domain", prefix + "provider."),
                v.Timestamp(link, "publishedDateTime", prefix),
                quality is >= int.MinValue and <= int.MaxValue ? (int)quality : null));
        }
        return related;
    }

    private static List<ParsedImage> Images(Fields v, SourceMapping root)
    {
        var images = new List<ParsedImage>();
        var list = v.Sequence(root, "images");
        if (list is null)
        {
            return images;
        }
        for (var i = 0; i < list.Items.Count; i++)
        {
            var prefix = $"images[{i}].";
            if (list.Items[i] is not SourceMapping image)
            {
                throw v.Fail(list.Items[i], $"images[{i}]", "must be a mapping");
            }
            var url = v.String(image, "url", prefix);
            // Images that could not be shown safely are simply not listed; the source keeps them.
            if (UrlRules.IsAbsoluteHttp(url))
            {
                images.Add(new ParsedImage(url!, (int?)v.Int(image, "width", prefix), (int?)v.Int(image, "height", prefix)));
            }
        }
        return images;
    }

    private sealed class Fields(string path)
    {
        public FrontMatterException Fail(SourceNode? node, string field, string reason) =>
            new(new ReadProblem(path, node?.Line, node?.Column, field, reason));

        public string? String(SourceMapping map, string key, string prefix = "", bool required = false)
        {
            var node = map[key];
            if (node is null || node is SourceScalar { IsNull: true })
            {
                return required ? throw Fail(node ?? map, prefix + key, "is required") : null;
            }
            if (node is not SourceScalar scalar)
            {
                throw Fail(node, prefix + key, "must be a string");
            }
            return scalar.Value;
        }

        public long? Int(SourceMapping map, string key, string prefix = "")
        {
            var node = map[key];
            if (node is null || node is SourceScalar { IsNull: true })
            {
                return null;
            }
            if (node is not SourceScalar scalar || !YamlScalars.TryInt(scalar, out var value))
            {
                throw Fail(node, prefix + key, "must be an integer");
            }
            return value;
        }

        public bool? Bool(SourceMapping map, string key, string prefix = "")
        {
            var node = map[key];
            if (node is null || node is SourceScalar { IsNull: true })
            {
                return null;
            }
            if (node is not SourceScalar scalar || !YamlScalars.TryBool(scalar, out var value))
            {
                throw Fail(node, prefix + key, "must be true or false");
            }
            return value;
        }

        public DateTimeOffset? Timestamp(SourceMapping map, string key, string prefix = "")
        {
            var node = map[key];
            if (node is null || node is SourceScalar { IsNull: true })
            {
                return null;
            }
            if (node is not SourceScalar scalar || !YamlScalars.TryTimestamp(scalar, out var value))
            {
                throw Fail(node, prefix + key, "must be an ISO 8601 timestamp with a time zone, e.g. 2023-11-27T16:06:00Z");
            }
            return value;
        }

        public SourceSequence? Sequence(SourceMapping map, string key)
        {
            var node = map[key];
            return node switch
            {
                null or SourceScalar { IsNull: true } => null,
                SourceSequence seq => seq,
                _ => throw Fail(node, key, "must be a list"),
            };
        }

        public SourceMapping? Mapping(SourceMapping map, string key, string prefix = "")
        {
            var node = map[key];
            return node switch
            {
                null or SourceScalar { IsNull: true } => null,
                SourceMapping m => m,
                _ => throw Fail(node, prefix + key, "must be a mapping"),
            };
        }
    }
}
