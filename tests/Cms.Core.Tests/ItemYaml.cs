using System.Globalization;
using System.Text;

namespace Cms.Core.Tests;

// Builds item front matter for tests: a valid minimal item to start from, then only the fields a
// test is about. Lines are numbered as in a file (the opening '---' is line 1), so tests can
// assert where a problem is reported without counting by hand.
internal sealed class ItemYaml
{
    private readonly List<(string Key, string Text)> _fields = [];

    public static ItemYaml Valid() => new ItemYaml().Set("title", "t").Set("originalUrl", "https://e.com/a");

    // `key: "value"`, escaped as a YAML double-quoted scalar.
    public ItemYaml Set(string key, string value) => Raw(key, " " + Quote(value));

    // `key:` followed by YAML text as given (it may start with "\n" for a block), so tests can
    // put raw characters or YAML escapes exactly where they want them.
    public ItemYaml Raw(string key, string yaml)
    {
        var index = _fields.FindIndex(f => f.Key == key);
        var field = (key, key + ":" + yaml);
        if (index >= 0)
        {
            _fields[index] = field;
        }
        else
        {
            _fields.Add(field);
        }
        return this;
    }

    public ItemYaml Topics(params string[] names) =>
        Raw("topics", string.Concat(names.Select(n => "\n  - " + Quote(n))));

    // Each link is the YAML of one mapping, e.g. Link("title", "a") + "\n" + Link("webUrl", "https://x").
    public ItemYaml Related(params string[] links) => Raw("related", Block(links));

    public ItemYaml Images(params string[] images) => Raw("images", Block(images));

    public static string Link(string key, string value) => key + ": " + Quote(value);

    public static string Provider(string key, string value) => "provider:\n  " + Link(key, value);

    // The file line of a top-level key.
    public int LineOf(string key) =>
        2 + _fields.TakeWhile(f => f.Key != key).Sum(f => f.Text.Count(c => c == '\n') + 1);

    // The file line of line `lineInLink` (0-based) of sequence entry `index` under `key`.
    public int LineOf(string key, int index, int lineInLink = 0)
    {
        var (_, text) = _fields.Single(f => f.Key == key);
        var entryLines = text.Split('\n').Select((line, i) => (line, i)).Where(l => l.line.StartsWith("  - ", StringComparison.Ordinal)).ToList();
        return LineOf(key) + entryLines[index].i + lineInLink;
    }

    public override string ToString()
    {
        var yaml = new StringBuilder("---\n");
        foreach (var (_, text) in _fields)
        {
            yaml.Append(text).Append('\n');
        }
        return yaml.Append("---\n").ToString();
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    // Control characters, line separators and U+FEFF are written as escapes (YAML reads them raw as
    // line breaks or a byte-order mark; U+FFFE/U+FFFF it does not read raw), everything else as it is.
    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF' => quoted.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => quoted.Append(c),
            };
        }
        return quoted.Append('"').ToString();
    }

    private static string Block(string[] entries) =>
        string.Concat(entries.Select(e => "\n  - " + e.Replace("\n", "\n    ", StringComparison.Ordinal)));
}
