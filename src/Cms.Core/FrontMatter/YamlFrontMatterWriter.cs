using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cms.Core.FrontMatter;

// The one seam over the YAML library for writing. Plain scalars are written plain so their YAML
// type (int, bool, timestamp, null) is kept; every other scalar stays a string.
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
                    emitter.Emit(new Scalar(null, null, key, ScalarStyle.Any, true, true));
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
        }
    }

    private static Scalar ToEvent(SourceScalar scalar)
    {
        var tag = scalar.Tag is null ? TagName.Empty : new TagName(scalar.Tag);
        if (scalar.IsPlain)
        {
            // An empty plain scalar is null; `~` says the same and survives every emitter context.
            var value = scalar.Value.Length == 0 && scalar.Tag is null ? "~" : scalar.Value;
            return new Scalar(AnchorName.Empty, tag, value, ScalarStyle.Plain, scalar.Tag is null, false);
        }
        var style = scalar.Style switch
        {
            ScalarKind.SingleQuoted => ScalarStyle.SingleQuoted,
            ScalarKind.Literal => ScalarStyle.Literal,
            _ => ScalarStyle.DoubleQuoted,
        };
        return new Scalar(AnchorName.Empty, tag, scalar.Value, style, false, scalar.Tag is null);
    }
}
