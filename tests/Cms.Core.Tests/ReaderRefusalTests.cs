using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class ReaderRefusalTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader(new FrontMatterOptions { MaxBytes = 64 * 1024 }));

    private const string Valid = """
        ---
        title: "A story"
        originalUrl: "https://example.com/a"
        quality: 40
        published: false
        ---
        """;

    private ReadProblem Refuse(string text) => Refuse(Encoding.UTF8.GetBytes(text));

    private ReadProblem Refuse(byte[] bytes) =>
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", bytes)).Problem;

    [Fact]
    public void A_valid_file_with_bom_and_crlf_is_read()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Valid.Replace("\n", "\r\n"))).ToArray();

        var item = _parser.Parse("in/001_x.txt", bytes);

        Assert.Equal("A story", item.Title);
        Assert.Equal(40, item.Quality);
        Assert.False(item.Published);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_parsing()
    {
        var big = Valid.Replace("title: \"A story\"", "title: \"" + new string('x', 70 * 1024) + "\"");

        var problem = Refuse(big);

        Assert.Contains("over the limit of 65536 bytes", problem.Reason);
        Assert.Equal("in/001_x.txt", problem.Path);
    }

    [Fact]
    public void Anchors_and_aliases_are_refused_with_their_line()
    {
        var aliasBomb = "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\na: &a [\"lol\",\"lol\"]\nb: [*a,*a,*a,*a]\n---\n";

        var problem = Refuse(aliasBomb);

        Assert.Equal(4, problem.Line);
        Assert.Equal("a", problem.Field);
        Assert.Contains("anchors are not allowed", problem.Reason);
    }

    [Fact]
    public void An_alias_without_anchor_is_refused_as_an_alias()
    {
        var problem = Refuse("---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nb: *missing\n---\n");

        Assert.Contains("aliases are not allowed", problem.Reason);
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void Nesting_deeper_than_64_is_refused_early_even_when_very_deep()
    {
        var deep = "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n---\n";
        var parser = new ItemParser(new YamlFrontMatterReader(new FrontMatterOptions { MaxBytes = 1024 * 1024 }));

        var problem = Assert.Throws<FrontMatterException>(() => parser.ParseText("deep.txt", deep)).Problem;

        Assert.Contains("nesting deeper than 64 levels", problem.Reason);
        Assert.Equal(4, problem.Line);
        Assert.StartsWith("x", problem.Field);
    }

    [Fact]
    public void Duplicate_keys_are_refused_even_when_one_is_tagged()
    {
        var problem = Refuse("---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nquality: 1\n!!str quality: 2\n---\n");

        Assert.Equal("quality", problem.Field);
        Assert.Equal(5, problem.Line);
        Assert.Equal("duplicate key", problem.Reason);
    }

    // The reader scans the keys of a small mapping and keeps a set only past 16 keys (issue 23
    // Build 6, seventh pass): a duplicate is refused on either side of that switch, and in the key
    // that crosses it.
    [Theory]
    [InlineData(3, 1)]
    [InlineData(15, 2)]
    [InlineData(16, 5)]
    [InlineData(17, 16)]
    [InlineData(40, 30)]
    [InlineData(40, 0)]
    public void A_duplicate_key_is_refused_in_a_mapping_of_any_size(int keys, int duplicated)
    {
        var extra = string.Concat(Enumerable.Range(0, keys).Select(k => $"  k{k}: {k}\n"));
        var problem = Refuse($"---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nextra:\n{extra}  k{duplicated}: again\n---\n");

        Assert.Equal($"extra.k{duplicated}", problem.Field);
        Assert.Equal(5 + keys, problem.Line);
        Assert.Equal("duplicate key", problem.Reason);
    }

    [Fact]
    public void A_mapping_of_many_distinct_keys_is_read_whole_in_order()
    {
        var extra = string.Concat(Enumerable.Range(0, 40).Select(k => $"  k{k}: {k}\n"));

        var item = _parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes($"---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nextra:\n{extra}---\n"));

        var mapping = Assert.IsType<SourceMapping>(item.Document.Root["extra"]);
        Assert.Equal(Enumerable.Range(0, 40).Select(k => $"k{k}"), mapping.Entries.Select(e => e.Key));
    }

    [Fact]
    public void Duplicate_keys_inside_a_related_link_name_the_link()
    {
        var problem = Refuse("---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nrelated:\n  - title: a\n    title: b\n---\n");

        Assert.Equal("related[0].title", problem.Field);
        Assert.Equal(6, problem.Line);
    }

    [Theory]
    [InlineData("---\n- a\n- b\n---\n")]
    [InlineData("---\njust a string\n---\n")]
    [InlineData("---\n---\n")]
    public void A_root_that_is_not_a_mapping_is_refused(string text)
    {
        var problem = Refuse(text);

        Assert.Contains("root must be a mapping", problem.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_line()
    {
        var bytes = Encoding.UTF8.GetBytes("---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nexcerpt: \"").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\"\n---\n")).ToArray();

        var problem = Refuse(bytes);

        Assert.Equal("invalid UTF-8", problem.Reason);
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void Tabs_used_as_indentation_are_refused_with_their_line()
    {
        var problem = Refuse("---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nprovider:\n\tname: x\n---\n");

        Assert.Equal(5, problem.Line);
        Assert.Contains("tab used as indentation", problem.Reason);
    }

    [Theory]
    [InlineData("quality: 101", "quality", "from 0 to 100", 4)]
    [InlineData("quality: -1", "quality", "from 0 to 100", 4)]
    [InlineData("quality: \"abc\"", "quality", "must be an integer", 4)]
    [InlineData("quality: 4.5", "quality", "must be an integer", 4)]
    [InlineData("published: \"yes\"", "published", "true or false", 4)]
    [InlineData("publishedDateTime: \"last tuesday\"", "publishedDateTime", "ISO 8601", 4)]
    [InlineData("webUrl: \"javascript:alert(1)\"", "webUrl", "absolute http(s)", 4)]
    [InlineData("related: \"not a list\"", "related", "must be a list", 4)]
    [InlineData("related:\n  - \"just text\"", "related[0]", "must be a mapping", 5)]
    [InlineData("topics:\n  - [nested]", "topics[0]", "must be a string", 5)]
    [InlineData("provider: \"x\"", "provider", "must be a mapping", 4)]
    public void Field_types_and_ranges_are_validated(string line, string field, string reason, int lineNumber)
    {
        var problem = Refuse($"---\ntitle: t\noriginalUrl: \"https://e.com/a\"\n{line}\n---\n");

        Assert.Equal(field, problem.Field);
        Assert.Contains(reason, problem.Reason);
        Assert.Equal(lineNumber, problem.Line);
        Assert.StartsWith($"in/001_x.txt:{lineNumber}:", problem.ToString());
    }

    [Theory]
    [InlineData("originalUrl: \"https://e.com/a\"", "title", "is required")]
    [InlineData("title: \"t\"", "originalUrl", "is required")]
    [InlineData("title: \"  \"\noriginalUrl: \"https://e.com/a\"", "title", "must not be empty")]
    [InlineData("title: t\noriginalUrl: \"ftp://e.com/a\"", "originalUrl", "absolute http(s)")]
    [InlineData("title: t\noriginalUrl: \"/relative\"", "originalUrl", "absolute http(s)")]
    public void Required_fields_are_enforced(string body, string field, string reason)
    {
        var problem = Refuse($"---\n{body}\n---\n");

        Assert.Equal(field, problem.Field);
        Assert.Contains(reason, problem.Reason);
    }

    [Fact]
    public void A_file_without_closing_marker_is_refused()
    {
        var problem = Refuse("---\ntitle: t\n");

        Assert.Contains("no closing '---'", problem.Reason);
    }

    [Fact]
    public void Related_links_with_unsafe_urls_are_read_but_marked_unsafe()
    {
        var item = _parser.ParseText("x.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\nrelated:\n  - title: a\n    webUrl: \"javascript:alert(1)\"\n  - title: b\n    webUrl: \"https://ok.example/b\"\n---\n");

        Assert.False(item.Related[0].IsSafeUrl);
        Assert.True(item.Related[1].IsSafeUrl);
    }

    [Fact]
    public void Hostile_inputs_never_throw_anything_but_a_read_problem()
    {
        var random = new Random(20261125);
        string[] fragments = ["---\n", "title: ", "\"", "'", "[", "{", "&a ", "*a", "!!binary ", "? ", ": ", "- ", "\t", "\n", "|", ">", "%YAML 1.2\n", "\\u0000", "\u202e", "#", ",", "]", "}", "...\n", "  "];
        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder("---\n");
            var length = random.Next(1, 60);
            for (var j = 0; j < length; j++)
            {
                text.Append(fragments[random.Next(fragments.Length)]);
            }
            text.Append("\n---\n");
            try
            {
                _parser.ParseText("fuzz.txt", text.ToString());
            }
            catch (FrontMatterException ex)
            {
                Assert.False(string.IsNullOrEmpty(ex.Problem.Reason));
            }
        }
    }
}
