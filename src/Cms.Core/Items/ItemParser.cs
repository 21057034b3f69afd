using System.Globalization;
using Cms.Core.FrontMatter;
using Cms.Core.Text;

namespace Cms.Core.Items;

// Validates the fields docs/ITEM_FORMAT.md defines and builds the typed view. Every string it reads is
// bounded by ItemLimits and free of control characters. Fields it does not know are not checked:
// they belong to the pipeline and are only carried through (the reader has refused NUL in them).
public sealed class ItemParser
{
    public const int MaxTopicLength = TopicNames.MaxLength;

    private readonly IFrontMatterReader _reader;
    private readonly ItemLimits _limits;

    public ItemParser(IFrontMatterReader reader)
        : this(reader, ItemLimits.Default)
    {
    }

    public ItemParser(IFrontMatterReader reader, ItemLimits limits)
    {
        limits.EnsureValid();
        _reader = reader;
        _limits = limits;
    }

    public ParsedItem Parse(string path, ReadOnlySpan<byte> bytes) => Validate(_reader.Read(path, bytes), _limits);

    public ParsedItem ParseText(string path, string text) => Validate(_reader.ReadText(path, text), _limits);

    public static ParsedItem Validate(FrontMatterDocument doc) => Validate(doc, ItemLimits.Default);

    public static ParsedItem Validate(FrontMatterDocument doc, ItemLimits limits)
    {
        limits.EnsureValid();
        var v = new Fields(doc.Path);
        var root = doc.Root;

        var title = Title(v, root, "title", limits.MaxTitleLength, required: true)!;
        if (string.IsNullOrWhiteSpace(title))
        {
            throw v.Fail(root["title"], "title", "must not be empty");
        }
        var originalUrl = v.Line(root, "originalUrl", limits.MaxUrlLength, required: true)!;
        if (!UrlRules.IsAbsoluteHttp(originalUrl, out var original))
        {
            throw v.Fail(root["originalUrl"], "originalUrl", "must be an absolute http(s) URL");
        }
        var webUrl = v.Line(root, "webUrl", limits.MaxUrlLength);
        // (Most files give the same address twice: it was just read.)
        if (webUrl is not null && webUrl != originalUrl && !UrlRules.IsAbsoluteHttp(webUrl))
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
            Excerpt(v, root, limits.MaxExcerptLength),
            Category(v, root, limits),
            v.Line(root, "type", limits.MaxTypeLength) is { } type ? ShownTitle(type) : null,
            provider is null ? null : Title(v, provider, "name", limits.MaxProviderLength, "provider."),
            provider is null ? null : Title(v, provider, "domain", limits.MaxProviderLength, "provider."),
            v.Timestamp(root, "publishedDateTime"),
            UrlRules.Shown(originalUrl),
            UrlRules.NormalizeOriginalUrl(original!),
            webUrl is null ? null : UrlRules.Shown(webUrl),
            (int?)quality,
            (int?)v.Int(root, "heat"),
            v.Bool(root, "published") ?? false,
            Topics(v, root, limits),
            Related(v, root, limits),
            Images(v, root, limits),
            // Opaque and kept byte for byte; a block scalar's line break is not refused, and the
            // file size bounds its length.
            v.Text(root, "secured", int.MaxValue));
    }

    // A title (and a provider's name and domain) is the outlet's text shown to editors, so invisible
    // and bidi characters are stripped rather than refused: the item stays importable and the text
    // cannot hide or reorder what it says. The stored source YAML keeps it as received; the export
    // writes it as shown (ItemExport).
    private static string? Title(Fields v, SourceMapping map, string key, int maxLength, string prefix = "", bool required = false)
    {
        var received = v.Line(map, key, maxLength, prefix, required);
        if (received is null)
        {
            return null;
        }
        var shown = ShownTitle(received);
        // Text that is there but draws as nothing (U+2800, a lone variation selector) would be a
        // blank title or name on the page; an empty one is the caller's rule ("must not be empty").
        if (!string.IsNullOrWhiteSpace(shown) && !UnicodeText.ShowsSomething(shown))
        {
            throw v.Fail(map[key], prefix + key, UnicodeText.ShowsNothing);
        }
        return shown;
    }

    // A title or name as the CMS stores and shows it, and as the export writes it: invisible and
    // bidi characters stripped (UnicodeText's rule, which keeps the joiners a script or an emoji
    // needs) and noncharacters too, NFC. The context of a joiner is judged on NFC text (as for topics), and again after
    // each removal: removing a character can leave marks out of canonical order, and NFC moving a
    // virama away from its joiner would make a second pass strip it. So this is a fixed point:
    // ShownTitle(ShownTitle(x)) == ShownTitle(x), which the export relies on when it writes a title
    // already shown (a merged item's link). Each pass removes a character or ends the loop.
    public static string ShownTitle(string received)
    {
        var shown = UnicodeText.Nfc(UnicodeText.StripNoncharacters(received));
        while (UnicodeText.StripInvisible(shown) is var stripped && !ReferenceEquals(stripped, shown))
        {
            shown = UnicodeText.Nfc(stripped);
        }
        return shown;
    }

    // An excerpt (untrusted HTML) likewise: a bidi override would reorder what the reviewer reads
    // and a zero-width character hide words from search. Not normalized: an excerpt is long and its
    // spelling is the outlet's; only what cannot be seen goes, from the decoded text, and only the
    // markup the pages show stays (ExcerptHtml).
    public static string ShownExcerpt(string received) => ExcerptHtml.Shown(received);

    // The stored rendering is bounded too (ExcerptHtml.MaxStoredLength): past it the pages would
    // show the excerpt's source as text. So is the work of its parse (ExcerptHtml.ShapeProblem),
    // checked before the sanitizer runs and on what it wrote.
    private static string? Excerpt(Fields v, SourceMapping map, int maxLength, string prefix = "")
    {
        if (v.Text(map, "excerpt", maxLength, prefix) is not { } received)
        {
            return null;
        }
        if (ExcerptHtml.ShapeProblem(received) is { } shape)
        {
            throw v.Fail(map["excerpt"], prefix + "excerpt", shape);
        }
        var shown = ShownExcerpt(received);
        // The stored rendering, which each page parses again, is checked too (REVIEW10 R10-1): a
        // shape the bound's model of the tree builder misses shows here as the tree it built.
        if (!ReferenceEquals(shown, received) && ExcerptHtml.ShapeProblem(shown) is { } built)
        {
            throw v.Fail(map["excerpt"], prefix + "excerpt", "as the CMS stores it (sanitized) " + built);
        }
        return shown.Length <= ExcerptHtml.MaxStoredLength ? shown
            : throw v.Fail(map["excerpt"], prefix + "excerpt", string.Create(CultureInfo.InvariantCulture,
                $"is {shown.Length:N0} characters as the CMS stores it (sanitized: links gain rel=\"noopener noreferrer nofollow\", '>' becomes &gt;), over the limit of {ExcerptHtml.MaxStoredLength:N0}"));
    }

    // Imported categories join the managed list editors pick from, so they are cleaned as topics
    // are (UnicodeText.CleanName: NFC, blanks folded, trimmed) and one that looks like another is
    // refused: the form the list, the edit form and the published file all use. A category of
    // blanks only ("", " ", NO-BREAK SPACE) is none, as the edit form, SaveItemEdits and the
    // fold migration read it (feeds write `category: ""` for unfiled items).
    private static string? Category(Fields v, SourceMapping root, ItemLimits limits)
    {
        if (v.Line(root, "category", limits.MaxCategoryLength) is not { } received
            || UnicodeText.CleanName(received) is not { Length: > 0 } category)
        {
            return null;
        }
        if (UnicodeText.NameProblem(category) is { } problem)
        {
            throw v.Fail(root["category"], "category", problem);
        }
        return category;
    }

    private static List<string> Topics(Fields v, SourceMapping root, ItemLimits limits)
    {
        var topics = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = v.Sequence(root, "topics", limits.MaxTopics);
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
            if (!TopicNames.TryClean(scalar.Value, out var topic, out var problem))
            {
                throw v.Fail(scalar, field, problem);
            }
            if (seen.Add(TopicNames.Normalize(topic)))
            {
                topics.Add(topic);
            }
        }
        return topics;
    }

    private static List<ParsedRelated> Related(Fields v, SourceMapping root, ItemLimits limits)
    {
        var related = new List<ParsedRelated>();
        var list = v.Sequence(root, "related", limits.MaxRelated);
        if (list is null)
        {
            return related;
        }
        var identities = LinkIdentity.Assign(list.Items.Select(LinkIdentity.OfEntry));
        for (var i = 0; i < list.Items.Count; i++)
        {
            var prefix = $"related[{i}].";
            if (list.Items[i] is not SourceMapping link)
            {
                throw v.Fail(list.Items[i], $"related[{i}]", "must be a mapping");
            }
            var url = v.Line(link, "webUrl", limits.MaxUrlLength, prefix);
            var provider = v.Mapping(link, "provider", prefix);
            var quality = v.Int(link, "quality", prefix);
            var (identity, duplicateOf) = identities[i];
            if (identity is not null && LinkIdentity.TooLong(identity) is { } tooLong)
            {
                throw v.Fail(link["webUrl"], prefix + "webUrl", tooLong);
            }
            related.Add(new ParsedRelated(
                i,
                Title(v, link, "title", limits.MaxRelatedTitleLength, prefix),
                Excerpt(v, link, limits.MaxRelatedExcerptLength, prefix),
                url is null ? null : UrlRules.Shown(url),
                // An entry has an identity, or an earlier entry's, exactly when its webUrl (a clean
                // line: read above) is an absolute http(s) URL (LinkIdentity.Of): not parsed again.
                identity is not null || duplicateOf is not null,
                provider is null ? null : Title(v, provider, "name", limits.MaxProviderLength, prefix + "provider."),
                provider is null ? null : Title(v, provider, "domain", limits.MaxProviderLength, prefix + "provider."),
                v.Timestamp(link, "publishedDateTime", prefix),
                quality is >= int.MinValue and <= int.MaxValue ? (int)quality : null,
                FirstImage(link, limits),
                identity,
                duplicateOf));
        }
        return related;
    }

    // The first picture of a related link that can be shown (absolute http(s), one clean line within
    // the URL limit). Anything else stays in the source and is never an error: the link is still
    // decidable without its picture.
    private static string? FirstImage(SourceMapping link, ItemLimits limits) =>
        link["images"] is SourceSequence images
            ? images.Items.OfType<SourceMapping>()
                .Select(image => (image["url"] as SourceScalar)?.Value)
                .FirstOrDefault(url => url is not null && url.Length <= limits.MaxUrlLength
                    && UnicodeText.ControlProblem(url, allowNewlines: false) is null && UrlRules.IsAbsoluteHttp(url)) is { } first
                ? UrlRules.Shown(first)
                : null
            : null;

    private static List<ParsedImage> Images(Fields v, SourceMapping root, ItemLimits limits)
    {
        var images = new List<ParsedImage>();
        var list = v.Sequence(root, "images", limits.MaxImages);
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
            var url = v.Line(image, "url", limits.MaxUrlLength, prefix);
            // Images that could not be shown safely are simply not listed; the source keeps them.
            if (UrlRules.IsAbsoluteHttp(url))
            {
                images.Add(new ParsedImage(UrlRules.Shown(url!), (int?)v.Int(image, "width", prefix), (int?)v.Int(image, "height", prefix)));
            }
        }
        return images;
    }

    private sealed class Fields(string path)
    {
        public FrontMatterException Fail(SourceNode? node, string field, string reason) =>
            new(new ReadProblem(path, node?.Line, node?.Column, field, reason));

        // One line of text: no control characters, tabs or line breaks.
        public string? Line(SourceMapping map, string key, int maxLength, string prefix = "", bool required = false) =>
            Checked(map, key, maxLength, allowNewlines: false, prefix, required);

        // Free text, where tabs and line breaks belong.
        public string? Text(SourceMapping map, string key, int maxLength, string prefix = "") =>
            Checked(map, key, maxLength, allowNewlines: true, prefix, required: false);

        private string? Checked(SourceMapping map, string key, int maxLength, bool allowNewlines, string prefix, bool required)
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
            var value = scalar.Value;
            if (value.Length > maxLength)
            {
                throw Fail(scalar, prefix + key, string.Create(CultureInfo.InvariantCulture, $"is {value.Length:N0} characters, over the limit of {maxLength:N0}"));
            }
            if (UnicodeText.ControlProblem(value, allowNewlines) is { } problem)
            {
                throw Fail(scalar, prefix + key, problem);
            }
            return value;
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

        public SourceSequence? Sequence(SourceMapping map, string key, int maxCount)
        {
            var node = map[key];
            var list = node switch
            {
                null or SourceScalar { IsNull: true } => null,
                SourceSequence seq => seq,
                _ => throw Fail(node, key, "must be a list"),
            };
            if (list is not null && list.Items.Count > maxCount)
            {
                throw Fail(list, key, string.Create(CultureInfo.InvariantCulture, $"has {list.Items.Count:N0} entries, over the limit of {maxCount:N0}"));
            }
            return list;
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
