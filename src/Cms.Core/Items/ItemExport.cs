using Cms.Core.FrontMatter;

namespace Cms.Core.Items;

// What the CMS changed about an item, applied to its source mapping for export and publication.
// ApprovedLinks: the identities (LinkIdentity) of the related links an editor approved.
public sealed record ItemEdits(
    WorkflowState State,
    bool EditedByPeople,
    int? Quality,
    string? Category,
    IReadOnlyList<string> Topics,
    IReadOnlySet<string> ApprovedLinks);

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
        if (!edits.EditedByPeople)
        {
            return result;
        }

        var sourceQuality = source["quality"] is SourceScalar q && YamlScalars.TryInt(q, out var sq) ? (int?)sq : null;
        if (sourceQuality != edits.Quality)
        {
            result = result.With("quality", edits.Quality is { } quality ? SourceScalar.Plain(quality.ToString(System.Globalization.CultureInfo.InvariantCulture)) : SourceScalar.Plain("~"));
        }

        var sourceCategory = source["category"] is SourceScalar { IsNull: false } c ? c.Value : null;
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
        return result;
    }

    // The entries whose identity was approved, in the source's order; of two entries with one URL
    // only the first (the one the item page showed), and never an entry without an identity.
    public static List<SourceNode> ApprovedEntries(SourceSequence related, IReadOnlySet<string> approved)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return related.Items.Where(entry => LinkIdentity.OfEntry(entry) is { } identity && seen.Add(identity) && approved.Contains(identity)).ToList();
    }
}
