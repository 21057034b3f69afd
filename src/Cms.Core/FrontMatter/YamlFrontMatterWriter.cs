using System.Text;
using Cms.Core.Items;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cms.Core.FrontMatter;

// The one seam over the YAML library for writing. Safe by construction: every scalar is written in
// a form that YAML 1.1 readers (PyYAML, Ruby, Go) and YAML 1.2 readers resolve to the value the CMS
// reads (YamlScalars): nulls, booleans, numbers and timestamps in one canonical plain form; keys
// and strings plain only when no reader can resolve them to anything else, double-quoted (every
// character escaped as needed) otherwise; no tags, anchors or merge keys, ever.
public sealed class YamlFrontMatterWriter : IFrontMatterWriter
{
    public string Write(SourceMapping root)
    {
        var yaml = new StringWriter { NewLine = "\n" };
        // No line folding: long values such as `secured` stay on one line, byte for byte.
        var emitter = new Emitter(yaml, EmitterSettings.Default.WithBestWidth(int.MaxValue).WithNewLine("\n").WithIndentedSequences());
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        var body = yaml.ToString();
        var file = new StringBuilder(body.Length + 8);
        file.Append("---\n").Append(body);
        if (body.Length > 0 && body[^1] != '\n')
        {
            file.Append('\n');
        }
        return file.Append("---\n").ToString();
    }

    private static void Emit(IEmitter emitter, SourceNode node)
    {
        switch (node)
        {
            case SourceScalar scalar:
                emitter.Emit(ToEvent(scalar));
                break;
            case SourceSequence sequence:
                emitter.Emit(new SequenceStart(null, null, true, sequence.Items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in sequence.Items)
                {
                    Emit(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case SourceMapping mapping:
                emitter.Emit(new MappingStart(null, null, true, mapping.Entries.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in mapping.Entries)
                {
                    // Keys are strings to the CMS: `"true"`, `"1:20"`, `"on"` stay strings for every reader.
                    emitter.Emit(Text(key, YamlScalars.PlainIsString(key) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted));
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
        }
    }

    private static Scalar ToEvent(SourceScalar scalar)
    {
        if (YamlScalars.PlainText(scalar) is { } plain)
        {
            // Canonical texts are always plain-writable; no tag, so a reader resolves the type.
            return new Scalar(AnchorName.Empty, TagName.Empty, plain, ScalarStyle.Plain, true, false);
        }
        var value = scalar.Value;
        // A string keeps its style where that is safe for every reader; otherwise double quotes,
        // which escape what the others would fold (line breaks, tabs, NEL) or refuse (controls).
        var style = scalar.Style switch
        {
            ScalarKind.Plain when YamlScalars.PlainIsString(value) => ScalarStyle.Plain,
            ScalarKind.Plain or ScalarKind.SingleQuoted when YamlScalars.QuotedIsSafe(value) => ScalarStyle.SingleQuoted,
            _ => ScalarStyle.DoubleQuoted,
        };
        return Text(value, style);
    }

    // A string: both implicit flags, so whatever style the emitter settles on carries no tag.
    private static Scalar Text(string value, ScalarStyle style) => new(AnchorName.Empty, TagName.Empty, value, style, true, true);
}
