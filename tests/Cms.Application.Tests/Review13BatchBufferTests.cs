using System.Text;
using Cms.Application.Importing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cms.Application.Tests;

// REVIEW13: the batch's shared buffer never hands a parsed item bytes of another file: a file
// over the limit whose declared size lies (its bytes dropped from the buffer), a huge file then
// tiny ones, a file ending exactly where the buffer ends, invalid UTF-8 and a NUL in a neighbour.
public sealed class Review13BatchBufferTests
{
    private static string File(string title, string notes) =>
        $"---\ntitle: \"{title}\"\noriginalUrl: https://example.com/{Guid.NewGuid():N}\nnotes: \"{notes}\"\n---\nbody\n";

    private static byte[] Join(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public async Task Each_parsed_item_of_a_batch_holds_exactly_its_own_files_front_matter()
    {
        const int max = 200_000;
        var parser = new ImportParser(new ItemParser(new YamlFrontMatterReader(new FrontMatterOptions { MaxBytes = max })),
            new FrontMatterOptions { MaxBytes = max }, new ImportOptions { BatchBytes = 300_000 }, NullLogger<ImportParser>.Instance);
        var texts = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(File("huge 🎉", new string('h', 190_000))),
            // Over the limit, declared as 10 bytes (a zip header can say anything).
            Encoding.UTF8.GetBytes(File("liar", new string('l', 250_000))),
            Encoding.UTF8.GetBytes(File("tiny", "t")),
            // Invalid UTF-8 (an overlong '/'), then a NUL: refused, the neighbours unaffected.
            Join(Encoding.UTF8.GetBytes("---\ntitle: \"bad"), [0xC0, 0xAF], Encoding.UTF8.GetBytes("\"\n---\n")),
            Join(Encoding.UTF8.GetBytes("---\ntitle: \"nul"), [0x00], Encoding.UTF8.GetBytes("\"\n---\n")),
            Encoding.UTF8.GetBytes(File("tiny two Привет", "u")),
            // Ends without a newline after the closing line.
            Encoding.UTF8.GetBytes(File("last", "v").Replace("---\nbody\n", "---")),
        };
        var files = texts.Select((t, i) => i == 1
            ? new ImportFile($"{i}.md", 10, _ => Task.FromResult<Stream>(new MemoryStream(t, writable: false)))
            : ImportFile.FromBytes($"{i}.md", t)).ToList();
        using IEnumerator<ImportFile> source = files.GetEnumerator();

        var parsed = new List<ParsedFile>();
        while (await parser.NextBatchAsync(source, CancellationToken.None) is { Length: > 0 } batch)
        {
            parsed.AddRange(batch);
        }

        Assert.Equal(texts.Count, parsed.Count);
        Assert.Equal([false, true, false, true, true, false, false], parsed.Select(p => p.Problem is not null));
        foreach (var i in new[] { 0, 2, 5, 6 })
        {
            var text = Encoding.UTF8.GetString(texts[i]);
            var frontMatter = text[4..(text.IndexOf("\n---", 4, StringComparison.Ordinal) + 1)];
            Assert.Equal(frontMatter, parsed[i].Item!.Parsed.Document.Yaml);
            Assert.True(parsed[i].Item!.Parsed.Document.Source.Utf8.Span.SequenceEqual(Encoding.UTF8.GetBytes(frontMatter)));
        }
    }
}
