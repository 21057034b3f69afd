using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// The benchmarks are only as honest as their data: items must look like the real sample.
public sealed class RealisticItemGeneratorTests
{
    [Fact]
    public void Generated_items_parse_and_have_the_size_and_shape_of_the_real_sample()
    {
        var generator = new RealisticItemGenerator(seed: 7);
        var parser = new ItemParser(new YamlFrontMatterReader());
        var sizes = new List<int>();
        for (var i = 0; i < 500; i++)
        {
            var text = generator.Next(i);
            sizes.Add(Encoding.UTF8.GetByteCount(text));
            var item = parser.ParseText($"{i}.txt", text);
            Assert.InRange(item.Related.Count, 2, 3);
            Assert.All(item.Related, r => Assert.True(r.IsSafeUrl));
            Assert.NotEmpty(item.Images);
            Assert.NotEmpty(item.Topics);
            Assert.Matches("^[A-Za-z0-9+/=]+;[A-Za-z0-9+/=]+$", item.Secured);
            Assert.NotNull(((SourceMapping)((SourceSequence)item.Document.Root["related"]!).Items[0])["cdnAmpWebUrl"]);
        }
        Assert.InRange(sizes.Average(), 4.5 * 1024, 5.5 * 1024);
    }

    [Fact]
    public void The_same_seed_gives_the_same_items_and_another_seed_others()
    {
        Assert.Equal(new RealisticItemGenerator(3).Next(5), new RealisticItemGenerator(3).Next(5));
        Assert.NotEqual(new RealisticItemGenerator(3).Next(5), new RealisticItemGenerator(4).Next(5));
    }
}
