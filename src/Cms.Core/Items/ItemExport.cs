using Cms.Core.FrontMatter;
using Cms.Core.Text;

namespace Cms.Core.Items;

// What the CMS changed about an item, applied to its source mapping for export and publication.
// ApprovedLinks: the identities (LinkIdentity) of the related links an editor approved.
// AddedLinks: approved related links the source does not list (an item merged into this one, a
// moved link's new address), written where the item page showed them (their Position).
public sealed record ItemEdits(
    WorkflowState State,
    bool EditedByPeople,
    int? Quality,
    string? Category,
    IReadOnlyList<string> Topics,
    IReadOnlySet<string> ApprovedLinks,
    IReadOnlyList<AddedLink>? AddedLinks = null);

// A related link the CMS added (a merged item's coverage, a moved link's new address), as the item
// page showed it; Position is its place in the page's list, where a source entry's is its index in
// the source's `related` (a new address takes the place of the entry it replaced).
public sealed record AddedLink(string Identity, string Url, string? Title, string? Excerpt, string? ProviderName, string? ProviderDomain,
    DateTimeOffset? PublishedAt, int? Quality, string? ImageUrl, int Position)
{
    // The link as an entry of the format's `related` list; text as quoted strings, so every YAML
    // reader reads what the CMS showed.
    public SourceMapping Entry()
    {
        var entries = new List<KeyValuePair<string, SourceNode>>();
        void Add(string key, SourceNode? value)
        {
            if (value is not null)
            {
                entries.Add(new(key, value));
            }
        }
        SourceScalar? Text(string? value) => value is null ? null : SourceScalar.Quoted(value);
        Add("title", Text(Title));
        Add("excerpt", Text(Excerpt));
        Add("publishedDateTime", PublishedAt is { } at ? SourceScalar.Quoted(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)) : null);
        Add("webUrl", SourceScalar.Quoted(Url));
        if (ProviderName is not null || ProviderDomain is not null)
        {
            Add("provider", new SourceMapping([new("name", Text(ProviderName) ?? SourceScalar.Plain("~")), new("domain", Text(ProviderDomain) ?? SourceScalar.Plain("~"))]));
        }
        Add("quality", Quality is { } q ? SourceScalar.Plain(q.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);
        if (ImageUrl is not null)
        {
            Add("images", new SourceSequence([new SourceMapping([new("url", SourceScalar.Quoted(ImageUrl))])]));
        }
        return new SourceMapping(entries);
    }
}

public static class ItemExport
{
    // Untouched items come back as imported; edited ones carry the edited quality and topics and
    // only approved related links. `published` always follows the workflow state.
    public static SourceMapping Apply(SourceMapping source, ItemEdits edits)
    {
        var result = source;
        var published = edits.State == WorkflowState.Published;
        var was = false;
        var hasFlag = source["published"] is SourceScalar current && YamlScalars.TryBool(current, out was);
        // A missing flag means "not published"; it is only written when that is no longer true.
        if (hasFlag ? was != published : published)
        {
            result = result.With("published", SourceScalar.Plain(published ? "true" : "false"));
        }
        // Topics are compared with what the reader made of the source (trimmed, de-duplicated), so a
        // renamed or merged topic is written even for an item nobody edited, and an untouched item's
        // list stays exactly as it came.
        var sourceTopics = source["topics"] is SourceSequence ts
            ? ts.Items.OfType<SourceScalar>().Select(t => t.Value.Trim()).DistinctBy(TopicNames.Normalize).ToList()
            : [];
        if (!sourceTopics.SequenceEqual(edits.Topics))
        {
            result = result.With("topics", new SourceSequence(edits.Topics.Select(t => (SourceNode)SourceScalar.Quoted(t)).ToList()));
        }
        // The category in the list's spelling (CategoryNames): an item nobody edited whose source
        // says "world" while the list says "World" (stored so by the import, or by the migration
        // CategoriesOneRegardlessOfCase) publishes "World", as a renamed topic is written. Only that
        // re-spelling: compared with what the reader made of the source (CleanName), an untouched
        // item's file otherwise stays as it came.
        var sourceCategory = source["category"] is SourceScalar { IsNull: false } c ? c.Value : null;
        if (!edits.EditedByPeople && sourceCategory is not null && edits.Category is not null
            && UnicodeText.CleanName(sourceCategory) is var read && read != edits.Category && CategoryNames.Key(read) == CategoryNames.Key(edits.Category))
        {
            result = result.With("category", SourceScalar.Quoted(edits.Category));
        }
        if (!edits.EditedByPeople)
        {
            result = WithAddedLinks(result, source, edits);
            return published ? ForPublication(result, edits) : result;
        }

        var sourceQuality = source["quality"] is SourceScalar q && YamlScalars.TryInt(q, out var sq) ? (int?)sq : null;
        if (sourceQuality != edits.Quality)
        {
            result = result.With("quality", edits.Quality is { } quality ? SourceScalar.Plain(quality.ToString(System.Globalization.CultureInfo.InvariantCulture)) : SourceScalar.Plain("~"));
        }

        if (sourceCategory != edits.Category)
        {
            result = result.With("category", edits.Category is null ? SourceScalar.Plain("~") : SourceScalar.Quoted(edits.Category));
        }

        if (source["related"] is SourceSequence related)
        {
            var kept = ApprovedEntries(related, edits.ApprovedLinks);
            if (kept.Count != related.Items.Count)
            {
                result = result.With("related", related with { Items = kept });
            }
        }
        result = WithAddedLinks(result, source, edits);
        return published ? ForPublication(result, edits) : result;
    }

    // Approved added links where the item page showed them, by position among the source's entries
    // (a source entry's position is its index in the source's list; on a tie the source's entry
    // comes first); one the source lists already is the source's entry (one URL is one link).
    private static SourceMapping WithAddedLinks(SourceMapping result, SourceMapping source, ItemEdits edits)
    {
        if (edits.AddedLinks is not { Count: > 0 } added)
        {
            return result;
        }
        var related = result["related"] as SourceSequence;
        var listed = (related?.Items ?? []).Select(LinkIdentity.OfEntry).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var extra = added.Where(l => edits.ApprovedLinks.Contains(l.Identity) && listed.Add(l.Identity)).ToList();
        if (extra.Count == 0)
        {
            return result;
        }
        // The kept entries are the source's own nodes: their index there is their position.
        var index = new Dictionary<SourceNode, int>(ReferenceEqualityComparer.Instance);
        if (source["related"] is SourceSequence sourceRelated)
        {
            for (var i = 0; i < sourceRelated.Items.Count; i++)
            {
                index.TryAdd(sourceRelated.Items[i], i);
            }
        }
        var entries = (related?.Items ?? []).Select((node, i) => (Position: index.TryGetValue(node, out var at) ? at : i, Added: false, Node: node))
            .Concat(extra.Select(l => (l.Position, Added: true, Node: (SourceNode)l.Entry())))
            .OrderBy(e => e.Position).ThenBy(e => e.Added).Select(e => e.Node).ToList();
        return result.With("related", related is null ? new SourceSequence(entries) : related with { Items = entries });
    }

    // Fields the CMS reads as text, at the top level and in each related link and image.
    private static readonly string[] TextFields = ["excerpt", "category", "type", "originalUrl", "webUrl"];
    private static readonly string[] RelatedTextFields = ["excerpt", "type", "webUrl", "ampWebUrl", "cdnAmpWebUrl"];
    private static readonly string[] RelatedUrls = ["ampWebUrl", "cdnAmpWebUrl"];

    // What the published file says is what the item page showed: text fields as the text the CMS
    // read (a plain `2024` title is the string "2024", not a number), titles and excerpts as shown
    // (invisible and bidi characters stripped by the parser's rule; titles NFC), URLs as shown
    // (UrlRules.Shown), topics from the vocabulary, and no URL the page hides as
    // unsafe (images and links that are not absolute http(s) are left out).
    private static SourceMapping ForPublication(SourceMapping item, ItemEdits edits)
    {
        var result = Texts(item, TextFields);
        result = ShownTexts(result);
        result = Provider(result);
        if (edits.Topics.Count > 0 || result["topics"] is not null)
        {
            result = result.With("topics", new SourceSequence(edits.Topics.Select(t => (SourceNode)SourceScalar.Quoted(t)).ToList()));
        }
        if (result["images"] is SourceSequence images)
        {
            result = result.With("images", SafeImages(images));
        }
        if (result["related"] is SourceSequence related)
        {
            var links = related.Items.OfType<SourceMapping>().Where(l => IsSafeUrl(l["webUrl"])).Select(RelatedForPublication).ToList();
            result = result.With("related", related with { Items = links });
        }
        return result;
    }

    // The entries whose identity was approved, in the source's order; of two entries with one URL
    // only the first (the one the item page showed), and never an entry without an identity.
    public static List<SourceNode> ApprovedEntries(SourceSequence related, IReadOnlySet<string> approved)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return related.Items.Where(entry => LinkIdentity.OfEntry(entry) is { } identity && seen.Add(identity) && approved.Contains(identity)).ToList();
    }

    private static SourceNode RelatedForPublication(SourceMapping link)
    {
        var result = Provider(ShownTexts(Texts(link, RelatedTextFields)));
        foreach (var key in RelatedUrls)
        {
            if (result[key] is { } url && url is not SourceScalar { IsNull: true } && !IsSafeUrl(url))
            {
                result = result with { Entries = result.Entries.Where(e => e.Key != key).ToList() };
            }
        }
        return result["images"] is SourceSequence images ? result.With("images", SafeImages(images)) : result;
    }

    private static SourceSequence SafeImages(SourceSequence images) => images with
    {
        Items = images.Items.OfType<SourceMapping>().Where(i => IsSafeUrl(i["url"])).Select(i => (SourceNode)Shown(Texts(i, ["url"]), "url", UrlRules.Shown)).ToList(),
    };

    private static bool IsSafeUrl(SourceNode? url) =>
        url is SourceScalar { IsNull: false } scalar && UnicodeText.ControlProblem(scalar.Value, allowNewlines: false) is null && UrlRules.IsAbsoluteHttp(scalar.Value);

    private static SourceMapping ShownTexts(SourceMapping map)
    {
        map = Shown(Shown(Shown(map, "title", ItemParser.ShownTitle), "excerpt", ItemParser.ShownExcerpt), "type", ItemParser.ShownTitle);
        foreach (var key in UrlFields)
        {
            map = Shown(map, key, UrlRules.Shown);
        }
        return map;
    }

    // URLs the item page shows as text, written as shown (UrlRules.Shown: invisible and bidi
    // characters percent-encoded).
    private static readonly string[] UrlFields = ["originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl"];

    // A text the parser strips of invisible characters (ItemParser.ShownTitle, ShownExcerpt),
    // written as it was shown.
    private static SourceMapping Shown(SourceMapping map, string key, Func<string, string> shown) =>
        map[key] is SourceScalar { IsNull: false } text && shown(text.Value) is var value
            && (YamlScalars.KindOf(text) != YamlScalars.Kind.String || value != text.Value)
            ? map.With(key, SourceScalar.Quoted(value))
            : map;

    private static SourceMapping Provider(SourceMapping map) =>
        map["provider"] is SourceMapping provider ? map.With("provider", Shown(Shown(provider, "name", ItemParser.ShownTitle), "domain", ItemParser.ShownTitle)) : map;

    // The named fields as the strings the CMS read, whatever type a YAML reader would give them.
    private static SourceMapping Texts(SourceMapping map, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            if (map[key] is SourceScalar { IsNull: false } scalar && YamlScalars.KindOf(scalar) != YamlScalars.Kind.String)
            {
                map = map.With(key, SourceScalar.Quoted(scalar.Value));
            }
        }
        return map;
    }
}
