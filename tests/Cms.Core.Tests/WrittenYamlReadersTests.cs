using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cms.Core.FrontMatter;

namespace Cms.Core.Tests;

// The writer's promise: whatever the CMS read, a YAML 1.1 reader (the real PyYAML, pure and over
// libyaml) and a YAML 1.2 reader (YamlDotNet's deserializer) read the written file as the same
// data. Hostile keys, values, styles and characters, by hand and at random.
public sealed class WrittenYamlReadersTests : IDisposable
{
    private readonly YamlFrontMatterReader _reader = new();
    private readonly YamlFrontMatterWriter _writer = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cms-yaml-" + Guid.NewGuid().ToString("N")[..8]);

    public WrittenYamlReadersTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Keys and values that YAML 1.1 and 1.2 readers resolve differently, or that a careless writer
    // would change: quoted keys that look like booleans, numbers, merge and value keys; plain
    // values that 1.1 reads as booleans, octal, sexagesimal, timestamps; core-tagged values;
    // characters that plain and single-quoted styles fold or that readers refuse.
    private static readonly string Hostile = "---\n" + HostileYaml.KeyTraps + """
        plainValues:
          - yes
          - no
          - on
          - off
          - y
          - n
          - Y
          - NO
          - 0o17
          - 0x1F
          - 010
          - +5
          - -0
          - 1_000
          - 1:20
          - 190:20:30
          - 2001-12-14
          - 2001-12-14 21:59:43.10 -5
          - 2001-12-14	21:59:43.10 -5
          - 2001-12-14t21:59:43.10-05:00
          - 2001-12-14T21:59:43Z
          - 2001-12-14 21:59:43.123456789
          - 2001-1-1
          - 2001-12-14Z
          - .NaN
          - .inf
          - -.inf
          - +.inf
          - .Inf
          - 1e5
          - 1E-7
          - -.5
          - 1.
          - 3.14159265358979323846
          - 0.1
          - 1e400
          - 0.5e3
          - =
          - ~
          - null
          - Null
          -
          - 0b101
          - 0x_1F
          - 685_230.15
          - +12_345
          - 12:30:45
          - 9223372036854775807
          - -9223372036854775808
          - True
          - FALSE
          - tRUE
          - plain text, with a comma
          - it's fine
          - Ünïcödé
          - 東京
          - 😀 emoji first
        quotedValues:
          - "yes"
          - 'no'
          - "0o17"
          - "010"
          - "2001-12-14"
          - "1:20"
          - "~"
          - ""
          - "<<"
          - "="
          - '.NaN'
          - "1e5"
        taggedValues:
          - !!str 12
          - !!str yes
          - !!str <<
          - !!int "12"
          - !!int 0x1F
          - !!float "1"
          - !!bool "True"
          - !!null ""
          - !!timestamp "2001-12-14"
          - !!str 2001-12-14
        characters:
          - "tab\there"
          - "del\x7f"
          - "esc\x1b"
          - "nel\x85x"
          - "ls\u2028x"
          - "ps\u2029x"
          - "bom\ufeffx"
          - "nonchar\ufffe\uffff"
          - "c1\x80\x9f"
          - "crlf\r\nx"
          - "cr\rx"
          - "trailing  "
          - "  leading"
          - "a # b"
          - "RTL \u202eevil"
          - "zero\u200bwidth"
          - "---"
          - "..."
          - "- x"
          - "key: value"
          - "'"
          - "\""
          - "\\"
          - "%x"
          - "@x"
          - "`x"
          - "!x"
          - "&a"
          - "*a"
          - "|"
          - ">"
          - "{"
          - "[a]"
          - "a,b"
          - "?"
          - "x\n"
          - "\n"
          - " "
          - "line1\nline2\n\n"
          - "\u00a0nbsp"
        blocks:
          - |
            literal
             indented
            --- inside
          - |-
            no trailing newline
          - |+
            keep

          - |2
              leading spaces
          - >
            folded
            lines
        nested:
          - {a: [1, "2", yes, {b: ~}]}
          - []
          - {}
          - - - deep
        ---
        """;

    [Fact]
    public async Task A_hostile_document_reads_the_same_in_pyyaml_libyaml_yamldotnet_and_the_cms()
    {
        var tree = _reader.ReadText("hostile", Hostile).Root;
        var huge = new string('x', 100_000);
        tree = tree.With(new string('k', 2_000), SourceScalar.Quoted("a key longer than YAML's 1,024-character simple keys"))
            .With("huge", SourceScalar.Quoted(huge));

        await AssertEveryReaderAgreesAsync([tree]);
    }

    [Fact]
    public async Task Random_hostile_strings_as_keys_and_values_in_every_style_read_the_same_everywhere()
    {
        var random = new Random(18);
        var trees = new List<SourceMapping>();
        for (var doc = 0; doc < 12; doc++)
        {
            var yaml = new StringBuilder("---\n");
            var plains = new StringBuilder("plain:\n");
            for (var i = 0; i < 40; i++)
            {
                var key = Nasty(random);
                var value = Nasty(random);
                yaml.Append(DoubleQuoted($"{i}:{key}")).Append(": ").Append(DoubleQuoted(value)).Append('\n');
                if (Single(value) is { } single)
                {
                    yaml.Append(DoubleQuoted($"{i}'")).Append(": ").Append(single).Append('\n');
                }
                // A plain value, when the CMS's reader reads it back as this very string.
                if (ReadsAsPlain(value))
                {
                    plains.Append("  p").Append(i).Append(": ").Append(value).Append('\n');
                }
            }
            trees.Add(_reader.ReadText($"fuzz-{doc}", yaml.Append(plains).Append("---\n").ToString()).Root);
        }

        await AssertEveryReaderAgreesAsync(trees);
    }

    // REVIEW7 #3/#4: a published item whose excerpt, URLs and type came with invisible and bidi
    // characters (raw, as references, splitting markup) is written as the CMS stored and showed
    // them, and every reader reads those values.
    [Fact]
    public async Task A_published_item_with_hidden_characters_reads_everywhere_as_the_cms_showed_it()
    {
        var parser = new Cms.Core.Items.ItemParser(_reader);
        var item = parser.Parse("in/001_x.txt", ItemYaml.Valid()
            .Set("excerpt", "<p>Refund: &#x202E;001$ <scr\u200Bipt>x</scr\u200Bipt> &#x20\u200B2E; yes</p>\n<a href=\"java\u200Bscript:x\">no</a>")
            .Set("webUrl", "https://news.example/report-\u202Efdp.exe")
            .Set("type", "yes\u200B")
            .ToBytes());
        var published = Cms.Core.Items.ItemExport.Apply(item.Document.Root,
            new Cms.Core.Items.ItemEdits(Cms.Core.Items.WorkflowState.Published, false, null, null, item.Topics, new HashSet<string>()));

        Assert.Equal(
            (item.Excerpt, item.WebUrl, item.Type),
            (((SourceScalar)published["excerpt"]!).Value, ((SourceScalar)published["webUrl"]!).Value, ((SourceScalar)published["type"]!).Value));
        Assert.Equal(("https://news.example/report-%E2%80%AEfdp.exe", "yes"), (item.WebUrl, item.Type));
        await AssertEveryReaderAgreesAsync([published]);
    }

    private async Task AssertEveryReaderAgreesAsync(IReadOnlyList<SourceMapping> trees)
    {
        var files = new List<(string Path, string Text, SourceMapping Tree)>();
        foreach (var tree in trees)
        {
            var path = Path.Combine(_folder, $"{files.Count:D3}.txt");
            var text = _writer.Write(tree);
            await File.WriteAllTextAsync(path, text, new UTF8Encoding(false));
            files.Add((path, text, tree));
        }

        var pyyaml = await YamlReaders.PyYamlAsync([.. files.Select(f => f.Path)]);

        foreach (var (path, text, tree) in files)
        {
            var cms11 = YamlReaders.Cms(tree, YamlReaders.Schema.Yaml11);
            Assert.Equal(cms11, pyyaml[path].Pure);
            Assert.Equal(cms11, pyyaml[path].LibYaml);
            Assert.Equal(YamlReaders.Cms(tree, YamlReaders.Schema.Yaml12), YamlReaders.YamlDotNet12(text));
            // And the CMS reads its own file back as it was.
            Assert.Equal(SourceNodes.Canonical(tree), SourceNodes.Canonical(_reader.ReadText(path, text).Root));
        }
    }

    private static readonly string[] Pieces =
    [
        "a", "Z", "x", "e", "E", "o", "0", "1", "7", "9", " ", "  ", "\t", "\n", "\r", "\r\n", ":", ": ", "#", " #", "-", "- ", "?", ",", "[", "]", "{", "}",
        "'", "\"", "\\", "!", "&", "*", "|", ">", "%", "@", "`", "~", "=", "<<", ".", "+", "_", "\u0085", "\u2028", "\u2029", "\ufeff", "\u007f",
        "\u001b", "\u00a0", "\u0080", "é", "東", "😀", "\u202e", "\u200b", "yes", "No", "ON", "off", "y", "null", "true", "0x1F", "0o17", "010", "1:20",
        "2001-12-14", ".inf", ".NaN", "1e5", "---", "...",
    ];

    private static string Nasty(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(0, 6);
        for (var i = 0; i < count; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }
        return text.ToString();
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // JSON string syntax is YAML double-quoted syntax; non-ASCII stays as it is.
    private static string DoubleQuoted(string value) => JsonSerializer.Serialize(value, Relaxed);

    // Single quotes cannot escape anything: only for text without line breaks or controls.
    private static string? Single(string value) =>
        value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') ? null : "'" + value.Replace("'", "''") + "'";

    private bool ReadsAsPlain(string value)
    {
        if (value.Length == 0 || value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\ufeff'))
        {
            return false;
        }
        try
        {
            var read = _reader.ReadText("probe", "---\nplain:\n  v: " + value + "\n---\n").Root;
            return read["plain"] is SourceMapping { Entries.Count: 1 } map && map["v"] is SourceScalar { IsPlain: true, Tag: null } s && s.Value == value;
        }
        catch (FrontMatterException)
        {
            return false;
        }
    }
}
