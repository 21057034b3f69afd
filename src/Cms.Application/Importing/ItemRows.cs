using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Importing;

// The one mapping from a parsed file to stored rows: the EF update of an untouched item, the
// binary COPY of new items and the import benchmark's baseline all go through it.
public static class ItemRows
{
    public const string UnsafeUrlReason = "unsafe URL";

    // SHA-256 of the text's UTF-8 bytes, encoded into a pooled buffer: the import hashes every
    // file, and a byte array per file was 5 KiB of what a batch allocates (issue 23 Build 6, fifth pass).
    public static string Hash(SourceText source)
    {
        if (!source.IsUtf8)
        {
            return Hash(source.Text);
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(source.Utf8.Span, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static string Hash(string yaml)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(yaml.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(yaml, buffer);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static Item NewItem(long id, PreparedItem prepared, DateTimeOffset now)
    {
        var parsed = prepared.Parsed;
        var item = new Item
        {
            Id = id,
            OriginalUrl = parsed.NormalizedUrl,
            FileName = Path.GetFileName(parsed.Document.Path),
            Title = parsed.Title,
            // The bytes as read, not decoded into a string (only the COPY reads them).
            SourceYaml = parsed.Document.Source.IsUtf8 ? null! : parsed.Document.Yaml,
            SourceYamlUtf8 = parsed.Document.Source.IsUtf8 ? parsed.Document.Source.Utf8 : null,
            SourceHash = prepared.Hash,
            ImportedAt = now,
        };
        Apply(item, prepared, now, source: false);
        // Only a new item takes its state from the file; import never moves an existing one.
        item.State = parsed.Published ? WorkflowState.Published : WorkflowState.New;
        item.RelatedLinks.AddRange(parsed.Related.Select(r => Link(id, r)));
        return item;
    }

    // The source's fields onto an item; its workflow state and editors' work (edits, pending flags)
    // are the caller's business.
    public static void Apply(Item item, PreparedItem prepared, DateTimeOffset now) => Apply(item, prepared, now, source: true);

    private static void Apply(Item item, PreparedItem prepared, DateTimeOffset now, bool source)
    {
        var parsed = prepared.Parsed;
        item.FileName = Path.GetFileName(parsed.Document.Path);
        foreach (var field in SourceFields)
        {
            // The pictures were serialized once by the parallel parse (PreparedItem.ImagesJson).
            if (field.Key != ImagesKey)
            {
                field.Store(item, parsed);
            }
        }
        if (source)
        {
            item.SourceYaml = parsed.Document.Yaml;
        }
        item.SourceHash = prepared.Hash;
        item.ImagesJson = prepared.ImagesJson;
        item.UpdatedAt = now;
    }

    public static RelatedLink Link(long itemId, ParsedRelated r)
    {
        var link = new RelatedLink
        {
            ItemId = itemId,
            Position = r.Position,
            Identity = r.Identity,
            IsSafeUrl = r.IsSafeUrl,
            PublishedAt = r.PublishedAt,
            Quality = r.Quality,
            // A link that could never be published is decided at once, with the reason.
            Decision = r.Identity is null ? LinkDecision.Rejected : LinkDecision.Pending,
            Reason = r.Identity is not null ? null : r.DuplicateOf is { } first ? DuplicateReason(first) : UnsafeUrlReason,
        };
        foreach (var field in LinkText)
        {
            field.Store(link, field.Parsed(r));
        }
        return link;
    }

    // The stored text a source decides and today's text rules shape (ItemParser: shown titles,
    // ExcerptHtml, UrlRules.Shown): one list, read by the import (Apply, Link) and by
    // `./cms items reread-text` (StoredTextReread), so a field or rule cannot reach one and not the
    // other. Named as the re-read's audit event names them.
    public sealed record TextField<TRow, TParsed>(string Name, Func<TRow, string?> Stored, Func<TParsed, string?> Parsed, Action<TRow, string?> Store);

    public static readonly IReadOnlyList<TextField<Item, ParsedItem>> ItemText =
    [
        new("title", i => i.Title, p => p.Title, (i, v) => i.Title = v!),
        new("excerpt", i => i.Excerpt, p => p.Excerpt, (i, v) => i.Excerpt = v),
        new("type", i => i.Type, p => p.Type, (i, v) => i.Type = v),
        new("provider.name", i => i.ProviderName, p => p.ProviderName, (i, v) => i.ProviderName = v),
        new("provider.domain", i => i.ProviderDomain, p => p.ProviderDomain, (i, v) => i.ProviderDomain = v),
        new("webUrl", i => i.WebUrl, p => p.WebUrl, (i, v) => i.WebUrl = v),
    ];

    public static readonly IReadOnlyList<TextField<RelatedLink, ParsedRelated>> LinkText =
    [
        new("title", l => l.Title, r => r.Title, (l, v) => l.Title = v),
        new("excerpt", l => l.Excerpt, r => r.Excerpt, (l, v) => l.Excerpt = v),
        new("webUrl", l => l.Url, r => r.Url, (l, v) => l.Url = v),
        new("provider.name", l => l.ProviderName, r => r.ProviderName, (l, v) => l.ProviderName = v),
        new("provider.domain", l => l.ProviderDomain, r => r.ProviderDomain, (l, v) => l.ProviderDomain = v),
        new("images", l => l.ImageUrl, r => r.ImageUrl, (l, v) => l.ImageUrl = v),
    ];

    // Each top-level key of the source and what the import stores from it on the item. A source
    // revision takes fields by these keys (RevisionFields.Apply) and shows the incoming side as this
    // mapping stores it (RevisionFields.Of), so accepting a field stores what importing the file
    // would, and a revision of a file compares equal to the import of the same file. Topics and
    // related links are rows of their own (Topics, Link).
    public sealed record SourceField(string Key, Action<Item, ParsedItem> Store);

    public const string ImagesKey = "images";

    public static readonly IReadOnlyList<SourceField> SourceFields =
    [
        new("title", Text("title")),
        new("excerpt", Text("excerpt")),
        new("category", (i, p) => i.Category = p.Category),
        new("type", Text("type")),
        new("provider", Text("provider.name", "provider.domain")),
        new("publishedDateTime", (i, p) => i.PublishedAt = p.PublishedAt),
        new("webUrl", Text("webUrl")),
        new("quality", (i, p) => i.Quality = p.Quality),
        new("heat", (i, p) => i.Heat = p.Heat),
        new(ImagesKey, (i, p) => i.ImagesJson = ImagesJson(p)),
    ];

    private static Action<Item, ParsedItem> Text(params string[] names)
    {
        var fields = names.Select(n => ItemText.Single(f => f.Name == n)).ToArray();
        return (item, parsed) =>
        {
            foreach (var field in fields)
            {
                field.Store(item, field.Parsed(parsed));
            }
        };
    }

    // The item's pictures as stored (images_json), by the import and the re-read alike.
    public static string ImagesJson(ParsedItem parsed) => System.Text.Json.JsonSerializer.Serialize(parsed.Images);

    // Positions count from 1 for people, as the item page lists the links.
    public static string DuplicateReason(int firstPosition) => $"same URL as related link {firstPosition + 1}";

    public static IEnumerable<ItemTopic> Topics(long itemId, IEnumerable<string> names, IReadOnlyDictionary<string, int> topicIds) =>
        names.Select((name, i) => new ItemTopic { ItemId = itemId, TopicId = topicIds[TopicNames.Normalize(name)], Position = i });
}
