using System.Text;
using Cms.Core.Items;
using Cms.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cms.Core.FrontMatter;

// Reads front matter from parser events only: YamlStream/Deserialize recurse without bound and can
// overflow the stack on hostile input (see PLATFORM_NOTES.md), and they accept aliases and
// some duplicate keys. Here depth is counted as events arrive, so deep input is refused early.
public sealed class YamlFrontMatterReader(FrontMatterOptions options) : IFrontMatterReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public YamlFrontMatterReader() : this(new FrontMatterOptions())
    {
    }

    public FrontMatterDocument Read(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > options.MaxBytes)
        {
            throw Problem(path, null, null, "", $"file is {bytes.Length} bytes, over the limit of {options.MaxBytes} bytes");
        }
        if (FrontMatterBytes(bytes) is var (start, length) && length >= 0)
        {
            return ReadFrontMatter(path, SourceText.FromUtf8(bytes.Slice(start, length)));
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? ex.Index : 0;
            var line = 1 + bytes[..Math.Min(at, bytes.Length)].Count((byte)'\n');
            throw Problem(path, line, null, "", "invalid UTF-8");
        }
        return ReadText(path, text);
    }

    public FrontMatterDocument ReadText(string path, string text)
    {
        if (text.Length > options.MaxBytes / 3 && Encoding.UTF8.GetByteCount(text) > options.MaxBytes)
        {
            throw Problem(path, null, null, "", $"file is over the limit of {options.MaxBytes} bytes");
        }
        CheckStorable(path, text);
        return ReadFrontMatter(path, SourceText.FromText(ExtractFrontMatter(path, text)));
    }

    private FrontMatterDocument ReadFrontMatter(string path, SourceText source)
    {
        CheckTabIndentation(path, source);
        var root = Parse(path, source);
        return new FrontMatterDocument(path, source, root, 2);
    }

    // Where the front matter lies in a file's bytes, found without decoding the whole file, when
    // the file is what almost every file is: valid UTF-8 without NUL, byte order mark or carriage
    // return, opening and closing with a '---' line. Its lines are then the text's lines, byte for
    // byte, and only the front matter is decoded (the import decoded every file whole and cut a
    // copy of it, two strings per file: issue 23 Build 6, fifth pass). Anything else, (-1, -1):
    // the text path below decides, refuses and names the line as it always has.
    private static (int Start, int Length) FrontMatterBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Encoding.UTF8.Preamble) || bytes.IndexOfAny((byte)'\0', (byte)'\r') >= 0 || !System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return (-1, -1);
        }
        var end = bytes.IndexOf((byte)'\n');
        if (end < 0 || !IsDelimiter(bytes[..end]))
        {
            return (-1, -1);
        }
        var bodyStart = end + 1;
        var lineStart = bodyStart;
        while (lineStart < bytes.Length)
        {
            end = bytes[lineStart..].IndexOf((byte)'\n');
            var line = end < 0 ? bytes[lineStart..] : bytes.Slice(lineStart, end);
            if (IsDelimiter(line))
            {
                return (bodyStart, lineStart - bodyStart);
            }
            lineStart += line.Length + 1;
        }
        return (-1, -1);
    }

    // The same test as on text: the line, trimmed of trailing white space (any Unicode white
    // space, so what follows "---" is decoded and trimmed the same way), is "---".
    private static bool IsDelimiter(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("---"u8))
        {
            return false;
        }
        if (line.Length == 3)
        {
            return true;
        }
        var rest = line[3..];
        if (rest.Length > 256)
        {
            return IsDelimiter(StrictUtf8.GetString(line).AsSpan());
        }
        Span<char> chars = stackalloc char[rest.Length];
        var count = StrictUtf8.GetChars(rest, chars);
        return chars[..count].IsWhiteSpace();
    }

    // The lines between the opening and the closing '---' line, each ending in '\n' (CRLF and a
    // lone CR count as line ends, as a line reader reads them). Found by index and cut out once:
    // a megabyte file is not copied line by line.
    private static string ExtractFrontMatter(string path, string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var end = text.IndexOf('\n');
        if (text.Length == 0 || !IsDelimiter(text.AsSpan(0, end < 0 ? text.Length : end)))
        {
            throw Problem(path, 1, 1, "", "front matter must start with a '---' line");
        }
        var bodyStart = end < 0 ? text.Length : end + 1;
        var lineStart = bodyStart;
        var lineNumber = 1;
        while (lineStart < text.Length)
        {
            lineNumber++;
            end = text.IndexOf('\n', lineStart);
            var lineEnd = end < 0 ? text.Length : end;
            if (IsDelimiter(text.AsSpan(lineStart, lineEnd - lineStart)))
            {
                return text[bodyStart..lineStart];
            }
            lineStart = lineEnd + 1;
        }
        throw Problem(path, lineNumber, null, "", "front matter has no closing '---' line");
    }

    private static bool IsDelimiter(ReadOnlySpan<char> line) => line.TrimEnd().SequenceEqual("---");

    // The source text is stored in a PostgreSQL text column, which cannot hold U+0000 (error 22021,
    // failing the whole batch); YamlDotNet also takes a raw NUL for the end of input and would
    // stop there silently. Unpaired surrogates (possible only through ReadText) cannot be encoded
    // as UTF-8 for the database either.
    private static void CheckStorable(string path, string text)
    {
        var nul = text.IndexOf('\0');
        var surrogate = UnicodeText.FindUnpairedSurrogate(text);
        if (nul < 0 && surrogate < 0)
        {
            return;
        }
        var at = nul < 0 || (surrogate >= 0 && surrogate < nul) ? surrogate : nul;
        var line = 1 + text.AsSpan(0, at).Count('\n');
        var lineStart = at == 0 ? 0 : text.LastIndexOf('\n', at - 1) + 1;
        var column = at - lineStart + 1 - (line == 1 && text.StartsWith('\uFEFF') ? 1 : 0);
        var reason = at == nul
            ? "contains a NUL character (U+0000), which cannot be stored"
            : $"invalid Unicode: unpaired surrogate {UnicodeText.Describe(text, at)}";
        throw Problem(path, line, column, "", reason);
    }

    // YAML forbids tabs for indentation; name the exact line rather than the mapping it breaks.
    private static void CheckTabIndentation(string path, SourceText source)
    {
        // Almost no file has a tab at all: one vectorized search instead of a loop over every
        // character (in the bytes when kept as bytes: a tab is one byte in UTF-8, never inside another character).
        if (source.IsUtf8 ? !source.Utf8.Span.Contains((byte)'\t') : !source.Text.Contains('\t'))
        {
            return;
        }
        var yaml = source.Text;
        var line = 1;
        var atLineStart = true;
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            if (atLineStart && c == '\t')
            {
                var rest = i + 1 < yaml.Length ? yaml.IndexOf('\n', i) : -1;
                var content = (rest < 0 ? yaml[i..] : yaml[i..rest]).Trim();
                if (content.Length > 0)
                {
                    throw Problem(path, line + 1, 1, "", "tab used as indentation (YAML allows spaces only)");
                }
            }
            atLineStart = c == '\n';
            if (c == '\n')
            {
                line++;
            }
        }
    }

    private SourceMapping Parse(string path, SourceText source)
    {
        var parser = new Parser(new Scanner(source.OpenReader(), skipComments: true));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                throw Problem(path, 2, 1, "", "front matter is empty; the root must be a mapping");
            }
            parser.Consume<DocumentStart>();
            if (!parser.Accept<MappingStart>(out _))
            {
                var at = parser.Current!;
                throw Problem(path, LineOf(at.Start), (int)at.Start.Column, "", "the root must be a mapping");
            }
            var root = (SourceMapping)ReadNode(path, parser, 1, new("", null, -1));
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                throw Problem(path, LineOf(parser.Current!.Start), null, "", "front matter must hold exactly one YAML document");
            }
            return root;
        }
        catch (FrontMatterException)
        {
            throw;
        }
        catch (YamlException ex)
        {
            throw Problem(path, LineOf(ex.Start), (int)ex.Start.Column, "", "invalid YAML: " + FirstSentence(ex.Message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // YamlDotNet throws these on some malformed input (found by the fuzz test); still bad input.
            throw Problem(path, null, null, "", "invalid YAML: " + FirstSentence(ex.Message));
        }
    }

    private SourceNode ReadNode(string path, IParser parser, int depth, FieldName name)
    {
        var current = parser.Current!;
        if (depth > options.MaxDepth)
        {
            throw Problem(path, LineOf(current.Start), (int)current.Start.Column, name.ToString(), $"nesting deeper than {options.MaxDepth} levels");
        }
        if (current is AnchorAlias)
        {
            throw Problem(path, LineOf(current.Start), (int)current.Start.Column, name.ToString(), "YAML aliases are not allowed");
        }
        if (current is NodeEvent node && !node.Anchor.IsEmpty)
        {
            throw Problem(path, LineOf(current.Start), (int)current.Start.Column, name.ToString(), "YAML anchors are not allowed");
        }
        switch (current)
        {
            case Scalar scalar:
            {
                CheckNoNul(path, scalar, name, scalar.Value, "value");
                CheckNoNul(path, scalar, name, scalar.Tag.IsEmpty ? "" : scalar.Tag.Value, "tag");
                var read = new SourceScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, StyleOf(scalar.Style),
                    scalar.Tag.IsEmpty ? null : scalar.Tag.Value, LineOf(scalar.Start), (int)scalar.Start.Column);
                // Only YAML core types, each a value of its type: a reader elsewhere must not
                // construct something else (`!!python/name:os.system`) or fail on it.
                if (YamlScalars.Problem(read) is { } problem)
                {
                    throw Problem(path, read.Line, read.Column, name.ToString(), problem);
                }
                parser.MoveNext();
                return read;
            }
            case SequenceStart sequenceStart:
            {
                var field = name.ToString();
                CheckCollectionTag(path, sequenceStart, field, YamlScalars.SeqTag);
                parser.MoveNext();
                var items = new List<SourceNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(path, parser, depth + 1, new(field, null, items.Count)));
                }
                return new SourceSequence(items, sequenceStart.Style == SequenceStyle.Flow, LineOf(sequenceStart.Start), (int)sequenceStart.Start.Column);
            }
            case MappingStart mappingStart:
            {
                var field = name.ToString();
                CheckCollectionTag(path, mappingStart, field, YamlScalars.MapTag);
                parser.MoveNext();
                var entries = new List<KeyValuePair<string, SourceNode>>();
                // A file's mappings hold a handful of keys: a scan of those read so far costs less
                // than a set per mapping; a large one (hostile input) gets the set.
                HashSet<string>? seen = null;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current!;
                    if (keyEvent is NodeEvent { Anchor.IsEmpty: false } || keyEvent is AnchorAlias)
                    {
                        throw Problem(path, LineOf(keyEvent.Start), (int)keyEvent.Start.Column, field, "YAML anchors and aliases are not allowed");
                    }
                    if (keyEvent is not Scalar key)
                    {
                        throw Problem(path, LineOf(keyEvent.Start), (int)keyEvent.Start.Column, field, "mapping keys must be plain strings");
                    }
                    // Named by its parent: a key holding NUL must not reach the problem text either.
                    CheckNoNul(path, key, new(field, null, -1), key.Value, "key");
                    var keyName = new FieldName(field, key.Value, -1);
                    // YAML 1.1 readers merge `<<` into the mapping (Ruby's even when it is quoted), so
                    // what they read would not be what the CMS shows: no spelling of it is accepted.
                    if (key.Value == "<<")
                    {
                        throw Problem(path, LineOf(key.Start), (int)key.Start.Column, keyName.ToString(), "merge keys (<<) are not allowed");
                    }
                    if (!key.Tag.IsEmpty && key.Tag.Value != YamlScalars.TagPrefix + "str")
                    {
                        throw Problem(path, LineOf(key.Start), (int)key.Start.Column, keyName.ToString(), "mapping keys must be strings (a tagged key may only be !!str)");
                    }
                    // Compared on the scalar's value, so `a` and `!!str a` collide as YAML intends.
                    if (IsDuplicate(entries, ref seen, key.Value))
                    {
                        throw Problem(path, LineOf(key.Start), (int)key.Start.Column, keyName.ToString(), "duplicate key");
                    }
                    parser.MoveNext();
                    entries.Add(new(key.Value, ReadNode(path, parser, depth + 1, keyName)));
                }
                return new SourceMapping(entries, mappingStart.Style == MappingStyle.Flow, LineOf(mappingStart.Start), (int)mappingStart.Start.Column);
            }
            default:
                throw Problem(path, LineOf(current.Start), (int)current.Start.Column, name.ToString(), $"unexpected YAML event {current.GetType().Name}");
        }
    }

    // A node's field as problems name it ("related[0].provider.name"), made into text only when a
    // problem names it or a collection passes it on: most nodes are scalars that never need it.
    private readonly record struct FieldName(string Parent, string? Key, int Index)
    {
        public override string ToString() =>
            Key is not null ? (Parent.Length == 0 ? Key : $"{Parent}.{Key}") : Index >= 0 ? $"{Parent}[{Index}]" : Parent;
    }

    private const int ScannedKeys = 16;

    private static bool IsDuplicate(List<KeyValuePair<string, SourceNode>> entries, ref HashSet<string>? seen, string key)
    {
        if (seen is null && entries.Count < ScannedKeys)
        {
            foreach (var entry in entries)
            {
                if (string.Equals(entry.Key, key, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
        if (seen is null)
        {
            seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                seen.Add(entry.Key);
            }
        }
        return !seen.Add(key);
    }

    private static void CheckCollectionTag(string path, NodeEvent node, string field, string allowed)
    {
        if (!node.Tag.IsEmpty && node.Tag.Value != allowed)
        {
            var tag = node.Tag.Value.StartsWith(YamlScalars.TagPrefix, StringComparison.Ordinal) ? "!!" + node.Tag.Value[YamlScalars.TagPrefix.Length..] : node.Tag.Value;
            throw Problem(path, LineOf(node.Start), (int)node.Start.Column, field,
                $"the tag {UnicodeText.Clip(tag, 60)} is not allowed (only the YAML core types)");
        }
    }

    // The "\0", "\x00" and "\u0000" escapes of double-quoted scalars (and %00 in tags) produce
    // U+0000 after the raw-text check has passed, in known and unknown fields alike.
    private static void CheckNoNul(string path, ParsingEvent at, FieldName name, string text, string what)
    {
        if (text.Contains('\0'))
        {
            throw Problem(path, LineOf(at.Start), (int)at.Start.Column, name.ToString(), $"{what} contains a NUL character (U+0000), which cannot be stored");
        }
    }

    private static ScalarKind StyleOf(ScalarStyle style) => style switch
    {
        ScalarStyle.Plain => ScalarKind.Plain,
        ScalarStyle.SingleQuoted => ScalarKind.SingleQuoted,
        ScalarStyle.Literal => ScalarKind.Literal,
        ScalarStyle.Folded => ScalarKind.Folded,
        _ => ScalarKind.DoubleQuoted,
    };

    // Lines are reported in the file's numbering: the opening '---' is line 1.
    private static int LineOf(Mark mark) => (int)mark.Line + 1;

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(").", StringComparison.Ordinal);
        var text = i >= 0 && i + 2 < message.Length ? message[(i + 2)..].Trim() : message;
        return text.Length > 200 ? text[..200] : text;
    }

    private static FrontMatterException Problem(string path, int? line, int? column, string field, string reason) =>
        new(new ReadProblem(path, line, column, field, reason));
}
