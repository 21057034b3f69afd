using System.CommandLine;
using System.Diagnostics;
using System.Text.Encodings.Web;
using Cms.Core.Items;
using Cms.Testing;
using Cms.Web.Infrastructure;

namespace Cms.Bench;

// ./cms bench excerpt-shapes: what one excerpt of a hostile shape costs the import (the sanitizer,
// ExcerptHtml.Shown) and an item page (ExcerptSanitizer.Render), in ms and MB allocated, beside a
// generated real excerpt (REVIEW9: a 13.9k excerpt took 3.4 s to import). Single-threaded, best of
// the rounds; a refused shape shows the refusal's reason instead of a stored length.
public static class ExcerptShapeBench
{
    public static Command Command()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds (the best is reported)", DefaultValueFactory = _ => 3 };
        var command = new Command("excerpt-shapes", "CPU and allocation of one excerpt of each hostile shape, import and item page, beside a real one.") { rounds };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(rounds));
            return BenchProgram.Ok;
        });
        return command;
    }

    public static IReadOnlyList<(string Name, string Html)> Shapes()
    {
        string Repeat(string part, int n) => string.Concat(Enumerable.Repeat(part, n));
        var generator = new RealisticItemGenerator(seed: 42);
        var real = string.Join("", Enumerable.Range(0, 8).Select(i => "<p>" + generator.Next(i).Split('\n').First(l => l.StartsWith("excerpt:", StringComparison.Ordinal))[8..].Trim().Trim('"') + " <em>said</em> <a href=\"https://example.com/a\">more</a></p>"));
        return
        [
            ("real: 8 generated paragraphs with a link and an emphasis", real),
            ("1,000 <em id=N> then 1,000 <p>", string.Concat(Enumerable.Range(0, 1_000).Select(i => $"<em id={i}>")) + Repeat("<p>", 1_000)),
            ("100 <em id=N> then 2,000 <p>x", string.Concat(Enumerable.Range(0, 100).Select(i => $"<em id={i}>")) + Repeat("<p>x", 2_000)),
            ("400 <p><b id=N></p>x", string.Concat(Enumerable.Range(0, 400).Select(i => $"<p><b id={i}></p>x"))),
            ("2,000 <b><p> (b and p nested)", Repeat("<b><p>", 2_000)),
            ("4,400 nested <em> (39.6k)", Repeat("<em>", 4_400) + Repeat("</em>", 4_400)),
            ("4,000 nested <div>", Repeat("<div>", 4_000)),
            ("1,000 <a href> then 1,000 <p> ", Repeat("<a href=\"https://e.example/\">", 1_000) + Repeat("<p>", 1_000)),
            // REVIEW10: raw-text elements inside svg (R10-1), and the adoption agency (R10-3): the
            // refused shape and the worst ones that still pass (99 deep; 18 x 99 moves).
            ("<svg><style>, 1,000 <em id=N>, 1,000 <p>", "<svg><style>" + string.Concat(Enumerable.Range(0, 1_000).Select(i => $"<em id={i}>")) + Repeat("<p>", 1_000)),
            ("1,500 <b><div>x</b>", Repeat("<b><div>x</b>", 1_500)),
            ("99 <b><div>x</b>", Repeat("<b><div>x</b>", 99)),
            ("18 <b>, 98 <div>, x</b>, 98 </div>", Repeat("<b>" + Repeat("<div>", 98) + "x</b>" + Repeat("</div>", 98), 18)),
        ];
    }

    private static void Run(int rounds)
    {
        var page = new ExcerptSanitizer(HtmlEncoder.Default);
        var sink = 0L;
        (double Ms, double Mb) Time(Func<int> work)
        {
            var best = (Ms: double.MaxValue, Mb: 0.0);
            for (var round = 0; round < rounds; round++)
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                sink += work();
                var ms = watch.Elapsed.TotalMilliseconds;
                if (ms < best.Ms)
                {
                    best = (ms, (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6);
                }
            }
            return best;
        }
        var unbounded = ExcerptHtml.NewSanitizer();
        Console.WriteLine($"{"shape",-46} {"chars",7} | {"unbounded: sanitize",19} {"page",14} | {"bounded: import",15} {"page",14} | stored");
        foreach (var (name, html) in Shapes())
        {
            var refused = ExcerptHtml.ShapeProblem(html);
            var before = Time(() => ExcerptHtml.Sanitized(html).Length);
            var beforePage = Time(() => unbounded.Sanitize(html).Length);
            var import = Time(() => ExcerptHtml.ShapeProblem(html) is null ? ExcerptHtml.Shown(html).Length : 0);
            var shown = Time(() =>
            {
                using var writer = new StringWriter();
                page.Render(html).WriteTo(writer, HtmlEncoder.Default);
                return writer.GetStringBuilder().Length;
            });
            var stored = refused is null ? ExcerptHtml.Shown(html) : null;
            Console.WriteLine($"{name,-46} {html.Length,7:N0} | {before.Ms,8:F1} ms {before.Mb,6:F1} MB {beforePage.Ms,8:F1} ms {beforePage.Mb,5:F1} | {import.Ms,8:F1} ms {import.Mb,4:F1} {shown.Ms,8:F1} ms {shown.Mb,5:F1} | {(stored is null ? "refused: " + refused : stored.Length.ToString("N0") + " chars" + (stored.Length > ExcerptHtml.MaxStoredLength ? " (over the stored bound: refused)" : ""))}");
        }
        Console.WriteLine($"(checksum {sink})");
    }
}
