using System.Text;
using System.Text.Json;
using Cms.Core.Items;

namespace Cms.Core.FrontMatter;

public static class SourceNodes
{
    // A deterministic text of the YAML data model: keys in order, each scalar as its resolved type
    // and value, formatting ignored. Two equal texts are the same mapping; line diffs of two texts
    // show what a source revision changes.
    public static string Canonical(SourceNode node)
    {
        var text = new StringBuilder();
        Write(text, node, 0, "");
        return text.ToString();
    }

    private static void Write(StringBuilder text, SourceNode node, int indent, string label)
    {
        var pad = new string(' ', indent * 2);
        switch (node)
        {
            case SourceScalar scalar:
                var (kind, value) = YamlScalars.Canonical(scalar);
                text.Append(pad).Append(label).Append(kind.ToString().ToLowerInvariant()).Append(' ')
                    .Append(JsonSerializer.Serialize(value)).Append('\n');
                break;
            case SourceSequence sequence:
                text.Append(pad).Append(label).Append("list\n");
                foreach (var item in sequence.Items)
                {
                    Write(text, item, indent + 1, "- ");
                }
                break;
            case SourceMapping mapping:
                text.Append(pad).Append(label).Append("map\n");
                foreach (var (key, value2) in mapping.Entries)
                {
                    Write(text, value2, indent + 1, JsonSerializer.Serialize(key) + ": ");
                }
                break;
        }
    }
}
