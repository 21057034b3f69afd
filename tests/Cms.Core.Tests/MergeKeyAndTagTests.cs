using System.Text;
using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// What a YAML 1.1 reader elsewhere would construct differently from the CMS is refused at the door,
// with the file, line and field: merge keys (in any spelling: Ruby's reader merges a quoted "<<"
// too), tags other than the core types, tagged values that are not of their type, integers beyond
// 64 bits and timestamps that are no date.
public sealed class MergeKeyAndTagTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private const string Head = "---\ntitle: \"A story\"\noriginalUrl: \"https://example.com/a\"\n";

    private ReadProblem Refuse(string body) =>
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes(Head + body + "---\n"))).Problem;

    public static TheoryData<string, int, string, string> Refused() => new()
    {
        // body, line, field, words of the reason
        { "<<: {related: [{webUrl: \"javascript:alert(1)\"}], excerpt: \"<script>x</script>\"}\n", 4, "<<", "merge keys (<<) are not allowed" },
        { "\"<<\": {excerpt: x}\n", 4, "<<", "merge keys (<<) are not allowed" },
        { "'<<': {excerpt: x}\n", 4, "<<", "merge keys (<<) are not allowed" },
        { "!!str <<: {excerpt: x}\n", 4, "<<", "merge keys (<<) are not allowed" },
        { "related:\n  - title: r\n    webUrl: \"https://ok.example/\"\n  - <<: {webUrl: \"javascript:alert(1)\"}\n", 7, "related[1].<<", "merge keys (<<) are not allowed" },
        { "extra: {a: 1, <<: {b: 2}}\n", 4, "extra.<<", "merge keys (<<) are not allowed" },
        { "hook: !!python/name:os.system\n", 4, "hook", "the tag !!python/name:os.system is not allowed" },
        { "hook: !!python/object/apply:os.system [\"id\"]\n", 4, "hook", "the tag !!python/object/apply:os.system is not allowed" },
        { "blob: !!binary aGVsbG8=\n", 4, "blob", "the tag !!binary is not allowed" },
        { "set: !!set {a, b}\n", 4, "set", "the tag !!set is not allowed" },
        { "mine: !custom x\n", 4, "mine", "the tag !custom is not allowed" },
        { "bare: ! 12\n", 4, "bare", "the tag ! is not allowed" },
        { "list: !!omap [a: 1]\n", 4, "list", "the tag !!omap is not allowed" },
        { "notint: !!int abc\n", 4, "notint", "'abc' is not a valid !!int" },
        { "notbool: !!bool yes\n", 4, "notbool", "'yes' is not a valid !!bool" },
        { "notnull: !!null x\n", 4, "notnull", "'x' is not a valid !!null" },
        { "notdate: !!timestamp tomorrow\n", 4, "notdate", "'tomorrow' is not a valid !!timestamp" },
        { "!!int 12: x\n", 4, "12", "mapping keys must be strings" },
        { "huge: 123456789012345678901234567890\n", 4, "huge", "outside the 64-bit range" },
        { "hex: 0x1FFFFFFFFFFFFFFFF\n", 4, "hex", "outside the 64-bit range" },
        { "day: 2001-13-45\n", 4, "day", "not a valid date and time" },
        { "leap: 2001-02-29 10:00:00\n", 4, "leap", "not a valid date and time" },
        { "zone: 2001-02-28 10:00:00 +24:00\n", 4, "zone", "not a valid date and time" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Is_refused_naming_line_and_field(string body, int line, string field, string reason)
    {
        var problem = Refuse(body);

        Assert.Equal(line, problem.Line);
        Assert.Equal(field, problem.Field);
        Assert.Contains(reason, problem.Reason);
        Assert.Equal("in/001_x.txt", problem.Path);
    }

    [Fact]
    public void A_tag_handle_redefined_by_a_directive_does_not_smuggle_a_foreign_tag_in_as_a_core_one()
    {
        var text = "%TAG !! tag:evil.example,2024:\n---\ntitle: \"A story\"\noriginalUrl: \"https://example.com/a\"\nx: !!str y\n---\n";

        // The file's own `---` is the front matter's first line, so the directive is outside it and
        // the body never sees it; written inside, it is malformed front matter.
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes(text)));
        var inside = "---\n%TAG !! tag:evil.example,2024:\n---\ntitle: t\noriginalUrl: \"https://example.com/a\"\nx: !!str y\n---\n";
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", Encoding.UTF8.GetBytes(inside)));
    }

    public static TheoryData<string, string, YamlScalars.Kind> Accepted() => new()
    {
        // value as written, canonical text the CMS reads, kind
        { "!!str 12", "12", YamlScalars.Kind.String },
        { "!!str yes", "yes", YamlScalars.Kind.String },
        { "!!int \"12\"", "12", YamlScalars.Kind.Int },
        { "!!int 0x1F", "31", YamlScalars.Kind.Int },
        { "0o17", "15", YamlScalars.Kind.Int },
        { "010", "10", YamlScalars.Kind.Int },
        { "9223372036854775807", "9223372036854775807", YamlScalars.Kind.Int },
        { "!!float \"1\"", "1.0", YamlScalars.Kind.Float },
        { "1e5", "100000.0", YamlScalars.Kind.Float },
        { ".NaN", ".nan", YamlScalars.Kind.Float },
        { "!!bool \"True\"", "true", YamlScalars.Kind.Bool },
        { "!!null \"\"", "null", YamlScalars.Kind.Null },
        { "!!timestamp \"2001-12-14\"", "2001-12-14", YamlScalars.Kind.Timestamp },
        { "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5", YamlScalars.Kind.Timestamp },
        { "2001-1-1", "2001-1-1", YamlScalars.Kind.String },
        { "yes", "yes", YamlScalars.Kind.String },
        { "1:20", "1:20", YamlScalars.Kind.String },
        { "!!map {a: 1}", "", YamlScalars.Kind.String },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Core_types_are_read_as_the_cms_reads_them(string written, string canonical, YamlScalars.Kind kind)
    {
        var root = new YamlFrontMatterReader().ReadText("a", "---\nvalue: " + written + "\n---\n").Root;

        if (root["value"] is SourceScalar scalar)
        {
            Assert.Equal((kind, canonical), YamlScalars.Canonical(scalar));
        }
        else
        {
            Assert.IsType<SourceMapping>(root["value"]);
        }
    }
}
