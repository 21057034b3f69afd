using AngleSharp.Html.Parser;
using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// REVIEW8 #8, #3, #4: the excerpt the CMS stores (and publishes) is exactly what the pages render
// from it. Its rendering is bounded (the pages sanitize it again under that bound), it is a fixed
// point of the sanitizer (nested links built by foster parenting included), and the plain-text
// shortcut writes what the sanitizer writes, character for character.
public sealed class StoredExcerptTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private static readonly HtmlParser Html = new();

    private ParsedItem Parse(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    [Fact]
    public void An_excerpt_within_the_received_limit_whose_stored_rendering_is_over_the_stored_bound_is_refused_naming_the_field()
    {
        // 19,800 characters received (limit 20,000), 42,000 as stored: every link gains rel="...".
        var received = string.Concat(Enumerable.Repeat("<a href=https://x.example/>x</a> ", 600));
        var yaml = ItemYaml.Valid().Set("excerpt", received);

        var problem = Assert.Throws<FrontMatterException>(() => Parse(yaml)).Problem;

        Assert.Equal(("in/001_x.txt", "excerpt", yaml.LineOf("excerpt")), (problem.Path, problem.Field, problem.Line));
        Assert.Contains("over the limit of 40,000", problem.Reason);
        Assert.Contains("as the CMS stores it", problem.Reason);
    }

    [Fact]
    public void A_related_links_excerpt_is_bounded_as_stored_too()
    {
        // 4,000 '>' received (limit 5,000) are 16,000 characters stored; 4,000 no-break spaces 24,000.
        var accepted = Parse(ItemYaml.Valid().Related(ItemYaml.Link("webUrl", "https://e.example/r") + "\n" + ItemYaml.Link("excerpt", new string('>', 4_000))));
        Assert.Equal(string.Concat(Enumerable.Repeat("&gt;", 4_000)), accepted.Related.Single().Excerpt);

        // 1,600 empty links (4,800 characters) are 67,200 stored.
        var links = string.Concat(Enumerable.Repeat("<a>", 1_600));
        var problem = Assert.Throws<FrontMatterException>(() => Parse(ItemYaml.Valid()
            .Related(ItemYaml.Link("webUrl", "https://e.example/r") + "\n" + ItemYaml.Link("excerpt", links)))).Problem;
        Assert.Equal("related[0].excerpt", problem.Field);
    }

    [Fact]
    public void Every_excerpt_the_parser_stores_is_within_the_length_the_pages_render()
    {
        // The worst growth of a received excerpt: a no-break space (1 → 6), an empty link (3 → 42).
        foreach (var received in new[] { new string('\u00A0', 20_000), string.Concat(Enumerable.Repeat("<a>", 6_000)), string.Concat(Enumerable.Repeat("<a href=https://x.example/>x</a> ", 300)) })
        {
            string? stored;
            try
            {
                stored = Parse(ItemYaml.Valid().Set("excerpt", received)).Excerpt;
            }
            catch (FrontMatterException e)
            {
                Assert.Equal("excerpt", e.Problem.Field);
                continue;
            }
            Assert.True(stored!.Length <= ExcerptHtml.MaxStoredLength, $"stored {stored.Length}");
        }
        var links = Parse(ItemYaml.Valid().Set("excerpt", string.Concat(Enumerable.Repeat("<a href=https://x.example/>x</a> ", 300)))).Excerpt!;
        Assert.True(links.Length > 20_000, $"stored {links.Length}: longer than the received limit, still stored");
    }

    public static TheoryData<string> Nested() =>
    [
        "<a href=\"https://a.example/\">1<table><a href=\"https://b.example/\">2</a></table></a>",
        "<p>1<table><p>2</p></table></p>",
        "<p>1<button><p>2</p></button>3</p>",
        "<a href=\"https://a.example/\">1<marquee><a href=\"https://b.example/\">2</a></marquee></a>",
        "<ul><li>1<table><li>2</li></table></li></ul>",
        "<a href=\"https://a.example/\">x<table><tr><td><a href=\"https://b.example/\">y</a></td></tr><a href=\"https://c.example/\">z</a></table></a>",
        "<em>1<table><p>2<table><a href=\"https://b.example/\">3<table><blockquote>4</table></table></table></em>",
        "<p><a href=\"https://exa\u200Bmple.com/x\">link</a></p>",
    ];

    [Theory]
    [MemberData(nameof(Nested))]
    public void A_stored_excerpt_sanitizes_to_itself_nested_links_and_paragraphs_included(string received)
    {
        var stored = Parse(ItemYaml.Valid().Set("excerpt", received)).Excerpt!;

        Assert.Equal(stored, ExcerptHtml.NewSanitizer().Sanitize(stored));
        Assert.Equal(stored, ExcerptHtml.Shown(stored));
    }

    [Fact]
    public void A_nested_link_is_stored_as_two_links_each_going_where_it_went()
    {
        var stored = Parse(ItemYaml.Valid().Set("excerpt", "<a href=\"https://a.example/\">1<table><a href=\"https://b.example/\">2</a></table></a>")).Excerpt!;

        var links = Html.ParseDocument("<body>" + stored).QuerySelectorAll("a").Select(a => (a.GetAttribute("href"), a.TextContent)).ToList();
        Assert.Equal([("https://a.example/", "1"), ("https://b.example/", "2")], links);
    }

    // Generated hostile markup: elements the sanitizer removes (tables, buttons, marquees, divs,
    // forms, selects) around and between what it keeps, in random nesting.
    [Fact]
    public void Generated_hostile_markup_is_stored_as_a_fixed_point_of_the_sanitizer()
    {
        string[] opens = ["<a href=\"https://a.example/\">", "<a href=\"https://b.example/x\">", "<a>", "<p>", "<em>", "<strong>", "<code>", "<ul>", "<ol>", "<li>", "<blockquote>", "<br>",
            "<table>", "<tr>", "<td>", "<th>", "<caption>", "<tbody>", "<colgroup>", "<button>", "<marquee>", "<applet>", "<div>", "<span>", "<form>", "<select>", "<option>", "<object>", "<h1>", "<dd>", "<dt>", "<nobr>", "<font>", "<b>", "<i>", "<img src=x>"];
        string[] closes = ["</a>", "</p>", "</em>", "</li>", "</table>", "</td>", "</tr>", "</button>", "</div>", "</ul>", "</form>", "</b>", "</select>", "</marquee>"];
        var random = new Random(8);
        var sanitizer = ExcerptHtml.NewSanitizer();
        var checkedCount = 0;
        for (var n = 0; n < 2_000; n++)
        {
            var text = new System.Text.StringBuilder();
            var parts = random.Next(2, 16);
            for (var i = 0; i < parts; i++)
            {
                var roll = random.Next(10);
                text.Append(roll < 6 ? opens[random.Next(opens.Length)] : roll < 8 ? closes[random.Next(closes.Length)] : "t" + i);
            }
            var received = text.ToString();
            var stored = ExcerptHtml.Shown(received);
            var again = sanitizer.Sanitize(stored);
            Assert.True(stored == again, $"received '{received}', stored '{stored}', re-sanitized '{again}'");
            checkedCount++;
        }
        Assert.Equal(2_000, checkedCount);
    }

    // The shortcut against the sanitizer on every UTF-16 code unit (each between letters, all in one
    // text, so one parse), and on generated strings of the characters the two once wrote differently.
    [Fact]
    public void The_plain_text_shortcut_writes_what_the_sanitizer_writes_for_every_character()
    {
        var plain = Enumerable.Range(0, 0x10000).Select(c => "a" + (char)c + "b").Where(ExcerptHtml.IsPlainText).ToList();
        var text = string.Concat(plain);
        Assert.True(plain.Count > 60_000, $"{plain.Count} plain characters");
        Assert.True(ExcerptHtml.IsPlainText(text));
        var (sanitized, shown) = (ExcerptHtml.Sanitized(text), ExcerptHtml.Shown(text));
        var at = sanitized.AsSpan().CommonPrefixLength(shown);
        Assert.True(sanitized == shown, $"from {at}: sanitizer '{sanitized[at..Math.Min(at + 12, sanitized.Length)]}', shortcut '{shown[at..Math.Min(at + 12, shown.Length)]}'");
        var random = new Random(4);
        var alphabet = "ab >\u00A0\n\t\"'=/]-!?;é東\U0001F600".EnumerateRunes().Select(r => r.ToString()).ToArray();
        for (var n = 0; n < 2_000; n++)
        {
            var generated = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            Assert.True(ExcerptHtml.IsPlainText(generated), generated);
            Assert.Equal(ExcerptHtml.Sanitized(generated), ExcerptHtml.Shown(generated));
        }
        Assert.Equal("a &gt; b&nbsp;c", ExcerptHtml.Shown("a > b\u00A0c"));
        const string untouched = "Markets rise 2% on the news";
        Assert.Same(untouched, ExcerptHtml.Shown(untouched));
    }

    // REVIEW9 (suspected, measured: docs/benchmarks.md "FIX11"): the tree builder reopens every
    // formatting element left open at each new block, so 1,000 <em id=N> then 1,000 <p> (13.9k
    // characters) built a million elements (3.4 s for one file), and deeply nested <em> cost each
    // item page hundreds of ms. Such shapes are refused before the sanitizer runs, naming the field.
    public static TheoryData<string, string> HostileShapes() => new()
    {
        { string.Concat(Enumerable.Range(0, 1_000).Select(i => $"<em id={i}>")) + string.Concat(Enumerable.Repeat("<p>", 1_000)), "nests elements more than 100 deep" },
        { string.Concat(Enumerable.Range(0, 400).Select(i => $"<p><b id={i}></p>x")), "reopen them more than 20,000 times" },
        { string.Concat(Enumerable.Repeat("<em>", 2_000)) + string.Concat(Enumerable.Repeat("</em>", 2_000)), "nests elements more than 100 deep" },
        { string.Concat(Enumerable.Repeat("<div>", 4_000)), "nests elements more than 100 deep" },
        { string.Concat(Enumerable.Repeat("<blockquote><ul>", 60)), "nests elements more than 100 deep" },
    };

    [Theory]
    [MemberData(nameof(HostileShapes))]
    public void An_excerpt_whose_parse_would_build_far_more_than_it_says_is_refused_naming_the_field(string received, string reason)
    {
        var yaml = ItemYaml.Valid().Set("excerpt", received);

        var problem = Assert.Throws<FrontMatterException>(() => Parse(yaml)).Problem;

        Assert.Equal(("in/001_x.txt", "excerpt", yaml.LineOf("excerpt")), (problem.Path, problem.Field, problem.Line));
        Assert.Contains(reason, problem.Reason);
        var related = Assert.Throws<FrontMatterException>(() => Parse(ItemYaml.Valid().Related(ItemYaml.Link("webUrl", "https://e.example/r") + "\n" + ItemYaml.Link("excerpt", received[..Math.Min(received.Length, 5_000)])))).Problem;
        Assert.Equal("related[0].excerpt", related.Field);
    }

    // What real excerpts hold stays far inside the bound: paragraphs, links, emphasis, lists in a
    // quote, sloppy HTML that never closes its <p> or a <b>, the samples' excerpts, generated items.
    [Fact]
    public void Real_excerpts_and_sloppy_html_pass_the_shape_bound()
    {
        string[] real =
        [
            string.Concat(Enumerable.Repeat("<p>The minister <em>said</em> on <a href=\"https://e.example/a\">Monday</a> that <strong>rates</strong> rise.</p>", 150)),
            string.Concat(Enumerable.Repeat("<p>Unclosed paragraph with <b>bold", 40)) + string.Concat(Enumerable.Repeat("<p>more text", 400)),
            "<blockquote><ul><li><p><em><strong><a href=\"https://e.example/\">deep</a></strong></em></p></li><li>two</li></ul></blockquote>",
            string.Concat(Enumerable.Repeat("<div><span>", 45)) + "x",
        ];
        var generator = new RealisticItemGenerator(seed: 9);
        var generated = Enumerable.Range(0, 200).Select(i => _parser.Parse($"in/{i}_x.txt", System.Text.Encoding.UTF8.GetBytes(generator.Next(i))).Excerpt).OfType<string>();
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"), "*.txt").Select(f => _parser.Parse("in/" + Path.GetFileName(f), File.ReadAllBytes(f)).Excerpt).OfType<string>();

        Assert.All(real.Concat(generated).Concat(samples), excerpt => Assert.Null(ExcerptHtml.ShapeProblem(excerpt)));
        Assert.All(real, excerpt => Assert.NotNull(Parse(ItemYaml.Valid().Set("excerpt", excerpt)).Excerpt));
    }

    private static readonly string Reopening =
        string.Concat(Enumerable.Range(0, 1_000).Select(i => $"<em id={i}>")) + string.Concat(Enumerable.Repeat("<p>", 1_000));

    public static TheoryData<string> ForeignPrefixes() =>
    [
        "<svg><style>", "<svg><textarea>", "<math><style>", "<svg><title>", "<svg><xmp>", "<svg><script>", "<math><iframe>",
    ];

    // REVIEW10 R10-1: inside svg or math, <style>, <title> ... are foreign elements, not raw text, and
    // <em> leaves foreign content; the bound once switched to raw text there and saw nothing after.
    [Theory]
    [MemberData(nameof(ForeignPrefixes))]
    public void A_hostile_shape_behind_a_raw_text_element_inside_svg_or_math_is_refused_as_without_it(string prefix)
    {
        Assert.NotNull(ExcerptHtml.ShapeProblem(Reopening));

        Assert.NotNull(ExcerptHtml.ShapeProblem(prefix + Reopening));
    }

    [Fact]
    public void An_excerpt_the_import_stores_is_inside_the_shape_bound()
    {
        var yaml = ItemYaml.Valid().Set("excerpt", "<svg><style>" + Reopening);

        // Once parsed (0.2-0.9 s) and stored as 16,000 characters of <em> nested a thousand deep.
        var stored = Record.Exception(() => _parser.Parse("in/001_x.txt", yaml.ToBytes())) is FrontMatterException
            ? null
            : _parser.Parse("in/001_x.txt", yaml.ToBytes()).Excerpt;

        Assert.Null(stored is null ? null : ExcerptHtml.ShapeProblem(stored));
    }

    // REVIEW10 R10-3: shapes the bound did not model (the adoption agency's misnested end tags) pass it and
    // cost the sanitizer as much as the REVIEW9 shape it refuses: 1,500 "<b><div>x</b>" (19.5k
    // characters) took 0.6-1.0 s and allocated 132 MB in one parse (the REVIEW9 shape: 4 MB), load 74.
    // Allocation is counted, not time: the bound is meant to keep a file's parse near a real one's.
    [Fact]
    public void An_excerpt_that_misnests_formatting_around_blocks_is_refused_or_parsed_in_bounded_memory()
    {
        var yaml = ItemYaml.Valid().Set("excerpt", string.Concat(Enumerable.Repeat("<b><div>x</b>", 1_500)));
        _parser.Parse("in/001_x.txt", ItemYaml.Valid().ToBytes());

        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = Record.Exception(() => _parser.Parse("in/001_x.txt", yaml.ToBytes())) is FrontMatterException;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(refused || allocated < 32L << 20, $"parsed, allocating {allocated >> 20} MB");
    }

    // What the bound now models keeps real markup: svg with a style, text after it, a misnested
    // <b> around a block or two as sloppy HTML has it.
    [Theory]
    [InlineData("<svg><style>x</style></svg><p><em>a</em> b</p>")]
    [InlineData("<p><b>bold <div>block</b> after</div></p>")]
    [InlineData("<b><p>one</b></p><i><p>two</i></p><p>three</p>")]
    [InlineData("<math><mi>x</mi></math><em>y</em><p>z</p>")]
    public void Sloppy_real_markup_around_foreign_content_and_misnested_formatting_passes_the_bound(string html)
    {
        Assert.Null(ExcerptHtml.ShapeProblem(html));
        Assert.Null(ExcerptHtml.ShapeProblem(ExcerptHtml.Sanitized(html)));
    }
}
