using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Application.Importing;

// Which top-level fields a pending source revision changes, computed once when the revision
// arrives and stored on it, so the item page can name them without parsing either source.
public sealed class RevisionComparer(IFrontMatterReader reader)
{
    public const int MaxFieldNames = 100;
    public const int MaxFieldNameLength = 100;

    // Read: both sources read (otherwise nothing is named, and the revision is kept all the same).
    public sealed record Comparison(string[] ChangedFields, int ChangedFieldCount, bool Read = true);

    public Comparison Compare(string currentYaml, string incomingYaml)
    {
        SourceMapping current, incoming;
        try
        {
            current = Read(currentYaml);
            incoming = Read(incomingYaml);
        }
        catch (FrontMatterException)
        {
            return new Comparison([], 0, Read: false);
        }
        var changed = ChangedFields(current, incoming);
        var names = changed.Take(MaxFieldNames).Select(n => UnicodeText.Clip(n, MaxFieldNameLength)).ToArray();
        return new Comparison(names, changed.Count);
    }

    private SourceMapping Read(string yaml) => reader.ReadText("source", "---\n" + yaml + "---\n").Root;

    // Top-level fields whose value differs in the YAML data model (added and removed ones too).
    private static List<string> ChangedFields(SourceMapping current, SourceMapping incoming)
    {
        var before = current.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var after = incoming.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return current.Entries.Select(e => e.Key).Concat(incoming.Entries.Select(e => e.Key).Where(k => !before.ContainsKey(k)))
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || !(Names.Contains(k) ? SameNames(a, b) : Same(a, b)))
            .ToList();
    }

    // A category or topic that differs only in letter case or spacing is the same name, under the
    // lists' key (CategoryNames, TopicNames: UnicodeText.NameKey), as the comparison offered to an
    // editor (SourceRevisions) and the import's spelling take it (REVIEW12 R12-6).
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal) { "category", "topics" };

    private static bool SameNames(SourceNode a, SourceNode b) => (a, b) switch
    {
        (SourceScalar x, SourceScalar y) when YamlScalars.KindOf(x) == YamlScalars.Kind.String && YamlScalars.KindOf(y) == YamlScalars.Kind.String =>
            UnicodeText.NameKey(x.Value) == UnicodeText.NameKey(y.Value),
        (SourceSequence x, SourceSequence y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => SameNames(p.First, p.Second)),
        _ => Same(a, b),
    };

    // Equal in the data model (formatting ignored), in one linear walk.
    private static bool Same(SourceNode a, SourceNode b) => (a, b) switch
    {
        (SourceScalar x, SourceScalar y) => YamlScalars.Canonical(x) == YamlScalars.Canonical(y),
        (SourceSequence x, SourceSequence y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (SourceMapping x, SourceMapping y) => x.Entries.Count == y.Entries.Count
            && x.Entries.Zip(y.Entries).All(p => p.First.Key == p.Second.Key && Same(p.First.Value, p.Second.Value)),
        _ => false,
    };
}
