using System.Security.Cryptography;
using System.Text;
using Cms.Core.FrontMatter;

namespace Cms.Core.Tests;

// REVIEW13 evidence: the front matter kept as UTF-8 bytes (SourceText, Utf8TextReader) must give
// YamlDotNet exactly the text the string path gave, whatever the block sizes it asks for, and the
// bytes kept must be the file's bytes (hash and stored text unchanged from the string path).
public sealed class Review13SourceTextTests
{
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
