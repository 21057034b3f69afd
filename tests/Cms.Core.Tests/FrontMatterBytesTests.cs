using System.Security.Cryptography;
using System.Text;
using Cms.Core.FrontMatter;

namespace Cms.Core.Tests;

// YamlFrontMatterReader.Read finds the front matter in the file's bytes and decodes only that
// when it can; whatever the file, it must read exactly what the text path (ReadText of the whole
// decoded file) reads: the same YAML, or the same refusal with the same line and column.
public sealed class FrontMatterBytesTests
{
    private readonly YamlFrontMatterReader _reader = new();

    public static TheoryData<string> Files() =>
    [
        "---\ntitle: t\n---\n",
        "---\ntitle: t\n---\nbody\n",
        "---\ntitle: t\n---",
        "---\ntitle: \"Привет 🎉 مرحبا\"\nexcerpt: 東京\n---\nbody \u2028 line separator and NEL \u0085\n",
        // Trailing white space on a delimiter, ASCII and not: still a delimiter on both paths.
        "--- \t\nt: 1\n---   \n",
        "---\u3000\u00A0\nt: 1\n---\u2003\nbody\n",
        "---" + new string(' ', 300) + "\nt: 1\n---" + new string('\u3000', 300) + "\n",
        // Not delimiters: leading space, four dashes, text after the dashes, a non-space after spaces.
        "---\nt: 1\n ---\n---\n",
        "---\nt: 1\n----\nu: 2\n---\n",
        "---\nt: 1\n---x\n---\n",
        "---\nt: 1\n--- \u200B\n---\n",
        "---x\nt: 1\n---\n",
        " ---\nt: 1\n---\n",
        // Refusals: no closing line, no opening line, nothing at all, a NUL in the body, tabs.
        "---\ntitle: t\n",
        "---",
        "",
        "title: t\n---\n",
        "---\ntitle: t\n---\nbody \0 with NUL\n",
        "---\ntitle: \"a\0b\"\n---\n",
        "---\ntitle: t\n\tindented: x\n---\n",
        "---\ntitle: [unclosed\n---\n",
        // Line ends and marks the text path normalizes: CRLF, a lone CR, a byte order mark.
        "---\r\ntitle: t\r\n---\r\n",
        "---\rtitle: t\r---\r",
        "\uFEFF---\ntitle: t\n---\n",
        "---\ntitle: \"\uFEFF inside\"\n---\n",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Reading_the_bytes_reads_what_the_text_path_reads(string file)
    {
        var bytes = Encoding.UTF8.GetBytes(file);

        var fromBytes = Outcome(() => _reader.Read("in/x.md", bytes));
        var fromText = Outcome(() => _reader.ReadText("in/x.md", file));

        Assert.Equal(fromText, fromBytes);
    }

    // The bytes are read as text block by block (YamlDotNet asks for 1,024 chars, then for what
    // is missing): a character outside the BMP (two chars) across a block's end, or a block with
    // room for one char, must read as the text does. Every position around the first two ends.
    public static TheoryData<int> Offsets() => [.. Enumerable.Range(1010, 20), .. Enumerable.Range(2040, 12)];

    [Theory]
    [MemberData(nameof(Offsets))]
    public void Characters_of_two_chars_across_the_readers_blocks_read_as_the_text_does(int offset)
    {
        // "---\ntitle: \"" puts the first character of the value at offset 8 of the front matter.
        var value = new string('a', offset - 8) + string.Concat(Enumerable.Repeat("🎉é東", 400));
        var file = $"---\ntitle: \"{value}\"\nnext: \"{value}\"\n---\n";

        Assert.Equal(Outcome(() => _reader.ReadText("in/x.md", file)), Outcome(() => _reader.Read("in/x.md", Encoding.UTF8.GetBytes(file))));
    }

    [Fact]
    public void Invalid_utf8_in_the_body_is_still_refused_with_its_line()
    {
        var bytes = Encoding.UTF8.GetBytes("---\ntitle: t\n---\nbody\n").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var problem = Assert.Throws<FrontMatterException>(() => _reader.Read("in/x.md", bytes)).Problem;

        Assert.Equal("invalid UTF-8", problem.Reason);
        Assert.Equal(5, problem.Line);
    }

    // The YAML read (and every scalar of the tree with its position), or the refusal.
    private static string Outcome(Func<FrontMatterDocument> read)
    {
        try
        {
            var doc = read();
            return "yaml:" + doc.Yaml + "|" + Describe(doc.Root);
        }
        catch (FrontMatterException ex)
        {
            return "refused:" + ex.Problem;
        }
    }

    private static string Describe(SourceNode node) => node switch
    {
        SourceScalar s => $"{s.Value}@{s.Line}:{s.Column}",
        SourceSequence q => $"[{string.Join(",", q.Items.Select(Describe))}]@{q.Line}:{q.Column}",
        SourceMapping m => $"{{{string.Join(",", m.Entries.Select(e => e.Key + "=" + Describe(e.Value)))}}}@{m.Line}:{m.Column}",
        _ => node.ToString()!,
    };

    private static string RandomText(Random random, int length)
    {
        var sb = new StringBuilder();
        string[] pieces = ["a", " ", "\n", "é", "東", "🎉", "𝔘", "\uFEFF", "\u2028", "ß", "\u00A0", "z", ":", "-"];
        while (sb.Length < length)
        {
            sb.Append(pieces[random.Next(pieces.Length)]);
        }
        return sb.ToString();
    }

    // REVIEW13: the front matter kept as UTF-8 bytes (SourceText, Utf8TextReader) gives YamlDotNet
    // exactly the text the string path gave, whatever the block sizes it asks for.
    [Fact]
    public void The_utf8_reader_yields_the_decoded_text_for_any_block_sizes()
    {
        var random = new Random(13);
        for (var round = 0; round < 2000; round++)
        {
            var text = RandomText(random, random.Next(0, 200));
            var source = SourceText.FromUtf8(Encoding.UTF8.GetBytes(text));
            using var reader = source.OpenReader();
            var read = new StringBuilder();
            var buffer = new char[64];
            while (true)
            {
                int n;
                if (random.Next(4) == 0)
                {
                    var c = reader.Read();
                    if (c < 0)
                    {
                        break;
                    }
                    read.Append((char)c);
                    continue;
                }
                var count = random.Next(1, 9);
                var index = random.Next(0, buffer.Length - count);
                n = reader.Read(buffer, index, count);
                if (n == 0)
                {
                    break;
                }
                Assert.InRange(n, 1, count);
                read.Append(buffer, index, n);
            }
            Assert.Equal(text, read.ToString());
        }
    }

    // A re-import of the same file must not look changed: the hash of the kept bytes equals the
    // hash an import computed on the decoded string, and Yaml is that string.
    [Theory]
    [InlineData("---\ntitle: \"🎉 Привет\"\nexcerpt: 東京x\n---\nbody\n")]
    [InlineData("---\ntitle: a\uFEFFb\n---\n")]
    public void The_bytes_path_keeps_the_files_bytes_and_hashes_as_the_string_did(string file)
    {
        var bytes = Encoding.UTF8.GetBytes(file);
        var doc = new YamlFrontMatterReader().Read("f.md", bytes);
        Assert.True(doc.Source.IsUtf8);
        var text = new YamlFrontMatterReader().ReadText("f.md", file);
        Assert.Equal(text.Yaml, doc.Yaml);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.Yaml))), Convert.ToHexStringLower(SHA256.HashData(doc.Source.Utf8.Span)));
    }
}
