using System.CommandLine;
using System.Diagnostics;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;
using Cms.Testing;

namespace Cms.Bench;

// ./cms bench excerpts: the import's CPU for excerpts (ExcerptHtml, REVIEW7 #4) on the import
// bench's generated items (RealisticItemGenerator: an excerpt and 2-3 related excerpts an item),
// in µs an item, beside the rule it replaced (UnicodeText.StripInvisible on the source) and the
// whole parse of the item, all in one run, in memory, single-threaded. Also what the sanitizer's
// path costs when an excerpt does hold markup (the same text in <p>…</p>).
public static class ExcerptBench
{
    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "Generated items", DefaultValueFactory = _ => 20_000 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds (the best is reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("excerpts", "CPU of the excerpt rule per generated item, against the rule it replaced and the whole parse.") { items, rounds };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(items), parse.GetValue(rounds));
            return BenchProgram.Ok;
        });
        return command;
    }

    private static void Run(int count, int rounds)
    {
        var generator = new RealisticItemGenerator(seed: 42);
        var reader = new YamlFrontMatterReader();
        var files = Enumerable.Range(0, count).Select(i => System.Text.Encoding.UTF8.GetBytes(generator.Next(i))).ToList();
        var received = files.Select((bytes, i) => Excerpts(reader.Read($"in/{i:D6}_x.txt", bytes).Root)).ToList();
        var html = received.Select(list => list.Select(e => "<p>" + e + "</p>").ToList()).ToList();
        var parser = new ItemParser(reader);
        Console.WriteLine($"{count:N0} items, {received.Sum(l => l.Count):N0} excerpts ({received.Sum(l => l.Sum(e => e.Length)) / Math.Max(1, received.Sum(l => l.Count)):N0} characters on average); best of {rounds} rounds");
        var sink = 0;
        void Time(string name, Action<int> perItem)
        {
            var best = double.MaxValue;
            for (var round = 0; round < rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < count; i++)
                {
                    perItem(i);
                }
                best = Math.Min(best, watch.Elapsed.TotalMicroseconds / count);
            }
            Console.WriteLine($"{name,-58} {best,9:F2} µs an item");
        }
        Time("before: StripInvisible on the source (main's rule)", i => received[i].ForEach(e => sink += UnicodeText.StripInvisible(e).Length));
        Time("now: ExcerptHtml.Shown (plain text kept without a parse)", i => received[i].ForEach(e => sink += ExcerptHtml.Shown(e).Length));
        Time("the sanitizer's path on the same text (no shortcut)", i => received[i].ForEach(e => sink += ExcerptHtml.Sanitized(e).Length));
        Time("the sanitizer's path on the same text in <p>…</p>", i => html[i].ForEach(e => sink += ExcerptHtml.Shown(e).Length));
        Time("the whole parse of the item (ItemParser.Parse)", i => sink += parser.Parse($"in/{i:D6}_x.txt", files[i]).Title.Length);
        Console.WriteLine($"(checksum {sink})");
    }

    private static List<string> Excerpts(SourceMapping root)
    {
        var excerpts = new List<string>();
        if (root["excerpt"] is SourceScalar { IsNull: false } excerpt)
        {
            excerpts.Add(excerpt.Value);
        }
        if (root["related"] is SourceSequence related)
        {
            excerpts.AddRange(related.Items.OfType<SourceMapping>().Select(l => l["excerpt"]).OfType<SourceScalar>().Where(s => !s.IsNull).Select(s => s.Value));
        }
        return excerpts;
    }
}
