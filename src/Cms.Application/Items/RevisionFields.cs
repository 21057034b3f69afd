using System.Text.Json;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Items;

// The item's fields as a pending source revision is compared and accepted field by field: each
// one shown decoded (as the parser read it, never as YAML with escapes or type tags), from the
// stored item, from the source it was imported from and from the incoming source.
public static class RevisionFields
{
    public sealed record Snapshot(
        string Title, string? Excerpt, string? Category, string? Type, string? ProviderName, string? ProviderDomain,
        DateTimeOffset? PublishedAt, string? WebUrl, int? Quality, int? Heat, IReadOnlyList<string> Topics,
        IReadOnlyList<(string? Title, string? Url)> Related, IReadOnlyList<string> Images, string? Secured);

    // Field name (the source's key), label, and the decoded value shown to the editor.
    public sealed record Field(string Name, string Label, Func<Snapshot, string?> Show, bool OnItem = true);

    public static readonly IReadOnlyList<Field> All =
    [
        new("title", "Title", s => s.Title),
        new("excerpt", "Excerpt", s => s.Excerpt),
        new("category", "Category", s => s.Category),
        new("type", "Type", s => s.Type),
        new("provider", "Provider", s => Join(" ", s.ProviderName, s.ProviderDomain)),
        new("publishedDateTime", "Published", s => s.PublishedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'")),
        new("webUrl", "Web URL", s => s.WebUrl),
        new("quality", "Quality", s => s.Quality?.ToString()),
        new("heat", "Heat", s => s.Heat is -1 ? "unknown" : s.Heat?.ToString()),
        new("topics", "Topics", s => s.Topics.Count == 0 ? null : string.Join(", ", s.Topics)),
        new("related", "Related links", s => s.Related.Count == 0 ? null : string.Join("\n", s.Related.Select(r => Join(" — ", r.Title, r.Url)))),
        new("images", "Images", s => s.Images.Count == 0 ? null : string.Join("\n", s.Images)),
        // Kept only in the source: it comes with whatever source the item holds.
        new("secured", "Secured", s => s.Secured, OnItem: false),
    ];

    public static IReadOnlySet<string> Names { get; } = All.Select(f => f.Name).Concat(["originalUrl", "published"]).ToHashSet(StringComparer.Ordinal);

    // A source as the import would store it (ItemRows: the one mapping of parsed fields to stored
    // ones), so the comparison sets a stored item against what taking the field would store.
    // topicName: a topic as the vocabulary spells it ("ai" is stored as the topic "AI").
    public static Snapshot Of(ParsedItem p, Func<string, string> topicName)
    {
        var item = new Item { Title = "", OriginalUrl = p.NormalizedUrl, FileName = "", SourceYaml = "", SourceHash = "" };
        foreach (var field in Importing.ItemRows.SourceFields)
        {
            field.Store(item, p);
        }
        return new(
            item.Title, item.Excerpt, item.Category, item.Type, item.ProviderName, item.ProviderDomain, item.PublishedAt, item.WebUrl, item.Quality, item.Heat,
            p.Topics.Select(topicName).ToList(), p.Related.Select(r => Importing.ItemRows.Link(0, r)).Select(l => (l.Title, l.Url)).ToList(),
            Images(item.ImagesJson), p.Secured);
    }

    // The stored item (links and topics loaded) and the source it holds (`secured` lives only there).
    public static Snapshot Of(Item i, ParsedItem source)
    {
        var listed = Identities(source);
        return new(
            i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt, i.WebUrl, i.Quality, i.Heat,
            i.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList(),
            // A link the CMS added is the editor's, not the source's: the comparison leaves it out,
            // except a moved link's new address standing for a source entry (ReplaceLinks keeps it
            // for that entry), which the comparison sees as the source's URL it stands for.
            i.RelatedLinks.Select(l => (Link: l, StandsFor: StandsFor(l, listed)))
                .Where(l => l.StandsFor is not null || !AddedByTheCms(l.Link)).OrderBy(l => l.Link.Position)
                .Select(l => (l.Link.Title, l.StandsFor is not null ? l.Link.ReplacesUrl : l.Link.Url)).ToList(),
            Images(i.ImagesJson), source.Secured);
    }

    private static HashSet<string> Identities(ParsedItem source) =>
        source.Related.Select(r => r.Identity).OfType<string>().ToHashSet(StringComparer.Ordinal);

    // The identity of the source entry a moved link's new address stands for: the address it
    // replaced, while the source lists that one and not the new address itself (then the source's
    // own entry is the link). Null for every other link.
    private static string? StandsFor(RelatedLink link, IReadOnlySet<string> listed) =>
        link is { ReplacesUrl: not null, MergedFromItemId: null, Identity: not null } && !listed.Contains(link.Identity)
            && LinkIdentity.Of(link.ReplacesUrl) is { } replaced && listed.Contains(replaced) ? replaced : null;

    public static List<string> Images(string? json) =>
        json is null ? [] : (JsonSerializer.Deserialize<List<ParsedImage>>(json) ?? []).Select(i => i.Url).ToList();

    private static string? Join(string separator, params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join(separator, present);
    }

    // The incoming value of one field onto the item (topics and related links are the caller's:
    // they need the vocabulary, and ReplaceLinks reports what changed per link).
    public static void Apply(Item item, string field, ParsedItem incoming) =>
        Importing.ItemRows.SourceFields.FirstOrDefault(f => f.Key == field)?.Store(item, incoming);

    // The incoming links replace the stored ones. A decision belongs to the link's identity (its
    // normalized URL), so it stays with the link wherever the link now stands in the list; a new
    // identity arrives Pending, and an entry without one is rejected with its reason (ItemRows.Link).
    // Links the CMS added (merged items, moved links' new addresses) are not the source's to
    // remove: they stay after the source's entries, unless the source now lists the same URL (then
    // the source's entry carries their decision).
    // An entry whose URL an editor replaced by the address it moved to ("use the new URL") is that
    // replacement: it keeps its decision and takes the entry's place, and the old address does not
    // come back beside it (unless the source now lists the new address itself). It follows that
    // entry both ways: when the stored source listed it and the incoming one lists neither it nor
    // the new address, the replacement goes with it, as the comparison showed the entry removed.
    // Returns one change per link added or removed, named by URL and title, for the audit event.
    public static List<object> ReplaceLinks(Item item, ParsedItem incoming, ParsedItem stored)
    {
        var decided = item.RelatedLinks.Where(l => l.Identity is not null).ToDictionary(l => l.Identity!, StringComparer.Ordinal);
        var withoutIdentity = item.RelatedLinks.Where(l => l.Identity is null).Select(l => l.Url).ToHashSet(StringComparer.Ordinal);
        var listed = Identities(incoming);
        var replacements = item.RelatedLinks.Select(l => (StandsFor: StandsFor(l, listed), Link: l)).Where(p => p.StandsFor is not null)
            .DistinctBy(p => p.StandsFor).ToDictionary(p => p.StandsFor!, p => p.Link, StringComparer.Ordinal);
        var reused = new HashSet<RelatedLink>();
        var changes = new List<object>();
        var links = incoming.Related.Select(r =>
        {
            var link = Importing.ItemRows.Link(item.Id, r);
            if (r.Identity is not null && !decided.ContainsKey(r.Identity) && replacements.TryGetValue(r.Identity, out var replacement))
            {
                replacement.Position = link.Position;
                reused.Add(replacement);
                return replacement;
            }
            if (r.Identity is not null && decided.TryGetValue(r.Identity, out var old))
            {
                if (ItemChanges.MayDecide(link, old.Decision))
                {
                    (link.Decision, link.Reason, link.DecidedBy, link.DecidedAt) = (old.Decision, old.Reason, old.DecidedBy, old.DecidedAt);
                }
            }
            else if (r.Identity is not null || !withoutIdentity.Contains(r.Url))
            {
                changes.Add(ItemChanges.LinkChange(link, before: null, after: link.Decision.ToString(), AddedBySource, link.Reason));
            }
            return link;
        }).ToList();
        var kept = links.Where(l => l.Identity is not null).Select(l => l.Identity!).ToHashSet(StringComparer.Ordinal);
        var storedListed = Identities(stored);
        var dropped = item.RelatedLinks.Where(l => StandsFor(l, storedListed) is { } replaced && !listed.Contains(replaced) && !kept.Contains(l.Identity!)).ToHashSet();
        changes.AddRange(decided.Values.Where(l => !kept.Contains(l.Identity!) && (!AddedByTheCms(l) || dropped.Contains(l))).OrderBy(l => l.Position)
            .Select(l => ItemChanges.LinkChange(l, before: l.Decision.ToString(), after: null, RemovedBySource, null)));
        var stay = item.RelatedLinks.Where(l => AddedByTheCms(l) && !dropped.Contains(l) && (l.Identity is null || !kept.Contains(l.Identity))).OrderBy(l => l.Position).ToList();
        foreach (var link in item.RelatedLinks.Except(stay).Except(reused).ToList())
        {
            item.RelatedLinks.Remove(link);
        }
        item.RelatedLinks.AddRange(links.Except(reused));
        var position = links.Count == 0 ? 0 : links.Max(l => l.Position) + 1;
        foreach (var link in stay)
        {
            link.Position = position++;
        }
        return changes;
    }

    // A merged item's link, or a moved link's new address.
    public static bool AddedByTheCms(RelatedLink link) => link.MergedFromItemId is not null || link.ReplacesUrl is not null;

    public const string AddedBySource = "added by the source";
    public const string RemovedBySource = "removed by the source";

    // The source an accepted revision leaves on the item: the incoming one, except that every
    // compared field not taken keeps the current source's value. So what the item is published
    // with is what the item page shows, whichever boxes were ticked.
    public static SourceMapping Merge(SourceMapping current, SourceMapping incoming, IReadOnlySet<string> taken)
    {
        var result = incoming;
        foreach (var field in All.Where(f => f.OnItem && !taken.Contains(f.Name)))
        {
            result = current[field.Name] is { } kept
                ? result.With(field.Name, kept)
                : result with { Entries = result.Entries.Where(e => e.Key != field.Name).ToList() };
        }
        return result;
    }

    public const int MaxNamedLinks = 10;

    // What differs between two sources' values of a field that its shown value may not say (a
    // related link's excerpt, a picture's size, a value's type): null when they are the same.
    public static string? DetailNote(string field, SourceNode? current, SourceNode? incoming)
    {
        if (Same(current, incoming))
        {
            return null;
        }
        if (field == "related" && current is SourceSequence before && incoming is SourceSequence after)
        {
            var old = before.Items.Select(e => (Identity: LinkIdentity.OfEntry(e), Entry: e)).Where(e => e.Identity is not null)
                .DistinctBy(e => e.Identity).ToDictionary(e => e.Identity!, e => e.Entry, StringComparer.Ordinal);
            var changed = after.Items.Select(e => (Identity: LinkIdentity.OfEntry(e), Entry: e))
                .Where(e => e.Identity is not null && old.TryGetValue(e.Identity, out var o) && !Same(o, e.Entry))
                .Select(e => e.Identity!).Distinct().ToList();
            if (changed.Count > 0)
            {
                return "Other details (excerpt, provider, pictures, ...) change for: " + string.Join(", ", changed.Take(MaxNamedLinks))
                    + (changed.Count > MaxNamedLinks ? $" and {changed.Count - MaxNamedLinks} more" : "");
            }
        }
        return "The source's value also differs in details not shown here.";
    }

    private static bool Same(SourceNode? a, SourceNode? b) =>
        a is null || b is null ? a is null && b is null : SourceNodes.Canonical(a) == SourceNodes.Canonical(b);
}
