using System.Buffers;
using System.Security.Cryptography;
using System.Text;
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
            SourceYaml = parsed.Document.Yaml,
            SourceHash = prepared.Hash,
            ImportedAt = now,
        };
        Apply(item, prepared, now);
        // Only a new item takes its state from the file; import never moves an existing one.
        item.State = parsed.Published ? WorkflowState.Published : WorkflowState.New;
        item.RelatedLinks.AddRange(parsed.Related.Select(r => Link(id, r)));
        return item;
    }

    // The source's fields onto an item; its workflow state and editors' work (edits, pending flags)
    // are the caller's business.
    public static void Apply(Item item, PreparedItem prepared, DateTimeOffset now)
    {
        var parsed = prepared.Parsed;
        item.FileName = Path.GetFileName(parsed.Document.Path);
        item.Title = parsed.Title;
        item.Excerpt = parsed.Excerpt;
        item.Category = parsed.Category;
        item.Type = parsed.Type;
        item.ProviderName = parsed.ProviderName;
        item.ProviderDomain = parsed.ProviderDomain;
        item.PublishedAt = parsed.PublishedAt;
        item.WebUrl = parsed.WebUrl;
        item.Quality = parsed.Quality;
        item.Heat = parsed.Heat;
        item.SourceYaml = parsed.Document.Yaml;
        item.SourceHash = prepared.Hash;
        item.ImagesJson = prepared.ImagesJson;
        item.UpdatedAt = now;
    }

    public static RelatedLink Link(long itemId, ParsedRelated r) => new()
    {
        ItemId = itemId,
        Position = r.Position,
        Identity = r.Identity,
        Title = r.Title,
        Excerpt = r.Excerpt,
        Url = r.Url,
        IsSafeUrl = r.IsSafeUrl,
        ProviderName = r.ProviderName,
        ProviderDomain = r.ProviderDomain,
        PublishedAt = r.PublishedAt,
        Quality = r.Quality,
        ImageUrl = r.ImageUrl,
        // A link that could never be published is decided at once, with the reason.
        Decision = r.Identity is null ? LinkDecision.Rejected : LinkDecision.Pending,
        Reason = r.Identity is not null ? null : r.DuplicateOf is { } first ? DuplicateReason(first) : UnsafeUrlReason,
    };

    // Positions count from 1 for people, as the item page lists the links.
    public static string DuplicateReason(int firstPosition) => $"same URL as related link {firstPosition + 1}";

    public static IEnumerable<ItemTopic> Topics(long itemId, IEnumerable<string> names, IReadOnlyDictionary<string, int> topicIds) =>
        names.Select((name, i) => new ItemTopic { ItemId = itemId, TopicId = topicIds[TopicNames.Normalize(name)], Position = i });
}
