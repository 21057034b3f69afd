using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Cms.Application.Importing;

// What a pending source revision changes, computed once when the revision arrives and stored on
// it, so viewing an item costs a read, never a diff. A line diff is quadratic in the worst case,
// so beyond a size cap only the changed field names are kept.
public sealed class RevisionComparer(IFrontMatterReader reader)
{
    // Canonical text of both sources together, in characters; 2 x 64 KiB diffs in milliseconds.
    public const int MaxDiffInputChars = 128 * 1024;
    public const int MaxDiffLines = 4_000;
    public const int MaxDiffChars = 64 * 1024;
    public const int MaxFieldNames = 100;
    public const int MaxFieldNameLength = 100;

    public sealed record Comparison(string[] ChangedFields, int ChangedFieldCount, string? Diff, bool DiffOmitted);

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
            return new Comparison([], 0, null, DiffOmitted: true);
        }
        var changed = ChangedFields(current, incoming);
        var names = changed.Take(MaxFieldNames).Select(n => n.Length <= MaxFieldNameLength ? n : n[..MaxFieldNameLength] + "…").ToArray();
        // The raw sizes decide first, so a megabyte source is never turned into canonical text.
        if (currentYaml.Length + incomingYaml.Length > MaxDiffInputChars)
        {
            return new Comparison(names, changed.Count, null, DiffOmitted: true);
        }
        var before = SourceNodes.Canonical(current);
        var after = SourceNodes.Canonical(incoming);
        if (before.Length + after.Length > MaxDiffInputChars || Lines(before) + Lines(after) > MaxDiffLines)
        {
            return new Comparison(names, changed.Count, null, DiffOmitted: true);
        }
        return new Comparison(names, changed.Count, LineDiff(before, after), DiffOmitted: false);
    }

    private SourceMapping Read(string yaml) => reader.ReadText("source", "---\n" + yaml + "---\n").Root;

    // Top-level fields whose value differs in the YAML data model (added and removed ones too).
    private static List<string> ChangedFields(SourceMapping current, SourceMapping incoming)
    {
        var before = current.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var after = incoming.Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return current.Entries.Select(e => e.Key).Concat(incoming.Entries.Select(e => e.Key).Where(k => !before.ContainsKey(k)))
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || !Same(a, b))
            .ToList();
    }

    // Equal in the data model (formatting ignored), in one linear walk.
    private static bool Same(SourceNode a, SourceNode b) => (a, b) switch
    {
        (SourceScalar x, SourceScalar y) => YamlScalars.Canonical(x) == YamlScalars.Canonical(y),
        (SourceSequence x, SourceSequence y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (SourceMapping x, SourceMapping y) => x.Entries.Count == y.Entries.Count
            && x.Entries.Zip(y.Entries).All(p => p.First.Key == p.Second.Key && Same(p.First.Value, p.Second.Value)),
        _ => false,
    };

    // Only the changed lines, "- " removed and "+ " added, at most MaxDiffChars.
    private static string LineDiff(string before, string after)
    {
        var text = new StringBuilder();
        foreach (var line in InlineDiffBuilder.Diff(before, after).Lines.Where(l => l.Type is ChangeType.Inserted or ChangeType.Deleted))
        {
            var next = (line.Type == ChangeType.Inserted ? "+ " : "- ") + line.Text + "\n";
            if (text.Length + next.Length > MaxDiffChars)
            {
                text.Append("… (diff cut at ").Append(MaxDiffChars / 1024).Append(" KiB)\n");
                break;
            }
            text.Append(next);
        }
        return text.ToString();
    }

    private static int Lines(string text) => text.AsSpan().Count('\n');
}
