using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// Characters in an imported file that would break storage or let text pose as something else.
public sealed class HostileTextTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private ReadProblem Refuse(ItemYaml yaml) =>
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", yaml.ToBytes())).Problem;

    private ParsedItem Accept(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    [Fact]
    public void A_raw_NUL_byte_in_the_title_is_refused_with_its_line_and_column()
    {
        var yaml = ItemYaml.Valid().Raw("category", " news").Raw("title", " \"a\0b\"");

        var problem = Refuse(yaml);

        Assert.Contains("NUL character (U+0000)", problem.Reason);
        Assert.Equal(yaml.LineOf("title"), problem.Line);
        Assert.Equal("title: \"a".Length + 1, problem.Column);
    }

    [Theory]
    [InlineData("\\0")]
    [InlineData("\\x00")]
    [InlineData("\\u0000")]
    [InlineData("\\U00000000")]
    public void A_NUL_escape_in_the_title_is_refused_naming_the_field(string escape)
    {
        var yaml = ItemYaml.Valid().Raw("title", $" \"a{escape}b\"");

        var problem = Refuse(yaml);

        Assert.Equal("title", problem.Field);
        Assert.Contains("NUL character (U+0000)", problem.Reason);
        Assert.Equal(yaml.LineOf("title"), problem.Line);
        Assert.Equal("title: ".Length + 1, problem.Column);
    }

    [Fact]
    public void A_raw_NUL_byte_in_an_unknown_field_is_refused_with_its_line_and_column()
    {
        var yaml = ItemYaml.Valid().Raw("pipeline", "\n  notes: \"x\0y\"");

        var problem = Refuse(yaml);

        Assert.Contains("NUL character (U+0000)", problem.Reason);
        Assert.Equal(yaml.LineOf("pipeline") + 1, problem.Line);
        Assert.Equal("  notes: \"x".Length + 1, problem.Column);
    }

    [Fact]
    public void A_NUL_escape_in_an_unknown_nested_field_is_refused_naming_it()
    {
        var yaml = ItemYaml.Valid().Raw("pipeline", "\n  notes: [ok, \"x\\0y\"]");

        var problem = Refuse(yaml);

        Assert.Equal("pipeline.notes[1]", problem.Field);
        Assert.Equal(yaml.LineOf("pipeline") + 1, problem.Line);
    }

    [Fact]
    public void A_NUL_after_the_last_field_is_refused_though_the_yaml_parser_would_stop_there()
    {
        var yaml = ItemYaml.Valid().Raw("locale", " en\n\0");

        var problem = Refuse(yaml);

        Assert.Equal(yaml.LineOf("locale") + 1, problem.Line);
        Assert.Equal(1, problem.Column);
    }

    [Fact]
    public void A_NUL_in_a_key_is_refused_naming_the_mapping_without_repeating_the_NUL()
    {
        var problem = Refuse(ItemYaml.Valid().Raw("pipeline", "\n  \"a\\0b\": 1"));

        Assert.Equal("pipeline", problem.Field);
        Assert.StartsWith("key contains a NUL", problem.Reason);
        Assert.DoesNotContain('\0', problem.ToString());
    }

    [Fact]
    public void A_NUL_in_a_tag_is_refused()
    {
        var problem = Refuse(ItemYaml.Valid().Raw("extra", " !e%00 v"));

        Assert.Equal("extra", problem.Field);
        Assert.StartsWith("tag contains a NUL", problem.Reason);
    }

    [Fact]
    public void An_unpaired_surrogate_in_text_is_refused_with_its_place()
    {
        var text = ItemYaml.Valid().Set("excerpt", "ok").ToString().Replace("ok", "o\uD800k", StringComparison.Ordinal);

        var problem = Assert.Throws<FrontMatterException>(() => _parser.ParseText("x.txt", text)).Problem;

        Assert.Equal("invalid Unicode: unpaired surrogate U+D800", problem.Reason);
        Assert.Equal(4, problem.Line);
        Assert.Equal("excerpt: \"o".Length + 1, problem.Column);
    }

    [Fact]
    public void Text_without_NUL_in_unknown_fields_is_carried_through_unchanged()
    {
        var yaml = ItemYaml.Valid().Raw("pipeline", "\n  notes: \"tab\\there \\u202E\"");

        var item = Accept(yaml);

        Assert.Contains("notes: \"tab\\there \\u202E\"", item.Document.Yaml);
    }
}
