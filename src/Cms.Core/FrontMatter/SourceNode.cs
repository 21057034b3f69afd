namespace Cms.Core.FrontMatter;

// A lossless, library-independent tree of the front matter. Scalars keep whether they were
// plain (their YAML type is then resolved from the text) or quoted/block (always strings),
// so an untouched item is written back with the same keys, order, values and types.
public abstract record SourceNode(int Line, int Column);

public sealed record SourceScalar(string Value, bool IsPlain, ScalarKind Style, string? Tag, int Line = 0, int Column = 0)
    : SourceNode(Line, Column)
{
    public static SourceScalar Plain(string value) => new(value, true, ScalarKind.Plain, null);
    public static SourceScalar Quoted(string value) => new(value, false, ScalarKind.DoubleQuoted, null);

    public bool IsNull => IsPlain && Tag is null && Value is "" or "~" or "null" or "Null" or "NULL";
}

public enum ScalarKind
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

public sealed record SourceSequence(IReadOnlyList<SourceNode> Items, bool Flow = false, int Line = 0, int Column = 0)
    : SourceNode(Line, Column);

public sealed record SourceMapping(IReadOnlyList<KeyValuePair<string, SourceNode>> Entries, bool Flow = false, int Line = 0, int Column = 0)
    : SourceNode(Line, Column)
{
    public SourceNode? this[string key]
    {
        get
        {
            // By index: a foreach over the interface boxed an enumerator for every field the
            // validation looks up (about twenty a file).
            var entries = Entries;
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Key == key)
                {
                    return entries[i].Value;
                }
            }
            return null;
        }
    }

    // Replaces the value of an existing key in place (keeping order) or appends it.
    public SourceMapping With(string key, SourceNode value)
    {
        var list = Entries.ToList();
        var index = list.FindIndex(e => e.Key == key);
        if (index >= 0)
        {
            list[index] = new(key, value);
        }
        else
        {
            list.Add(new(key, value));
        }
        return this with { Entries = list };
    }
}
