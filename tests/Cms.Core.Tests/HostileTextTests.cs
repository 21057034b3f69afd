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

    [Theory]
    [InlineData("\\x01", "U+0001")]
    [InlineData("\\e", "U+001B")]
    [InlineData("\\b", "U+0008")]
    [InlineData("\\x7F", "U+007F")]
    [InlineData("\u0001", "U+0001")]
    [InlineData("\u007F", "U+007F")]
    public void A_control_character_in_the_title_is_refused_naming_the_field_and_where(string character, string codePoint)
    {
        var yaml = ItemYaml.Valid().Raw("title", $" \"a{character}b\"");

        var problem = Refuse(yaml);

        Assert.Equal("title", problem.Field);
        Assert.Equal($"contains the control character {codePoint} at character 2", problem.Reason);
        Assert.Equal(yaml.LineOf("title"), problem.Line);
        Assert.Equal("title: ".Length + 1, problem.Column);
    }

    [Theory]
    [InlineData("title")]
    [InlineData("category")]
    [InlineData("type")]
    [InlineData("provider.name")]
    [InlineData("provider.domain")]
    [InlineData("originalUrl")]
    [InlineData("webUrl")]
    [InlineData("topics[1]")]
    [InlineData("related[2].title")]
    [InlineData("related[2].webUrl")]
    [InlineData("related[2].provider.name")]
    [InlineData("related[2].provider.domain")]
    [InlineData("images[1].url")]
    public void A_control_character_in_any_field_is_refused_naming_it(string field)
    {
        var problem = Refuse(ItemFields.With(field, "https://e.com/\u0007"));

        Assert.Equal(field, problem.Field);
        Assert.Equal("contains the control character U+0007 at character 15", problem.Reason);
    }

    [Theory]
    [InlineData("title", "\t")]
    [InlineData("title", "\n")]
    [InlineData("title", "\u2028")]
    [InlineData("category", "\t")]
    [InlineData("type", "\n")]
    [InlineData("provider.name", "\r")]
    [InlineData("provider.domain", "\t")]
    [InlineData("originalUrl", "\n")]
    [InlineData("webUrl", "\t")]
    [InlineData("topics[1]", "\n")]
    [InlineData("related[2].title", "\n")]
    [InlineData("related[2].webUrl", "\t")]
    [InlineData("related[2].provider.name", "\n")]
    [InlineData("images[1].url", "\t")]
    public void A_tab_or_line_break_in_a_single_line_field_is_refused_naming_it(string field, string lineBreak)
    {
        var problem = Refuse(ItemFields.With(field, "https://e.com/a" + lineBreak + "b"));

        Assert.Equal(field, problem.Field);
        Assert.StartsWith("contains a tab or line break (U+", problem.Reason);
        Assert.EndsWith(") at character 16; this field is a single line", problem.Reason);
    }

    [Theory]
    [InlineData("excerpt")]
    [InlineData("related[2].excerpt")]
    public void Tabs_and_line_breaks_are_kept_in_free_text(string field)
    {
        const string text = "<p>first\tcolumn</p>\nsecond line\r\nthird";

        var item = Accept(ItemFields.With(field, text));

        // An excerpt is HTML and is kept as the pages read it (ExcerptHtml): an HTML parser reads
        // CR LF as one line break.
        Assert.Equal(text.Replace("\r\n", "\n"), ItemFields.Read(item, field));
    }

    [Fact]
    public void A_literal_block_excerpt_keeps_its_lines()
    {
        var item = Accept(ItemYaml.Valid().Raw("excerpt", " |\n  one\n  \ttwo"));

        Assert.Equal("one\n\ttwo\n", item.Excerpt);
    }

    [Theory]
    [InlineData("excerpt", "\u0001")]
    [InlineData("related[2].excerpt", "\u001F")]
    public void Other_control_characters_are_refused_in_free_text_too(string field, string control)
    {
        var problem = Refuse(ItemFields.With(field, "a\n" + control));

        Assert.Equal(field, problem.Field);
        Assert.Equal($"contains the control character U+{(int)control[0]:X4} at character 3", problem.Reason);
    }

    [Theory]
    [InlineData("\u202A")]
    [InlineData("\u202E")]
    [InlineData("\u2066")]
    [InlineData("\u2069")]
    [InlineData("\u200E")]
    [InlineData("\u200F")]
    [InlineData("\u061C")]
    [InlineData("\u200B")]
    [InlineData("\u200C")]
    [InlineData("\u200D")]
    [InlineData("\u2060")]
    [InlineData("\uFEFF")]
    public void A_bidi_or_zero_width_character_in_a_topic_is_refused_naming_it(string invisible)
    {
        var yaml = ItemYaml.Valid().Topics("AI", "A" + invisible + "I");

        var problem = Refuse(yaml);

        Assert.Equal("topics[1]", problem.Field);
        Assert.Equal($"contains the invisible or bidirectional character U+{(int)invisible[0]:X4} at character 2", problem.Reason);
        Assert.Equal(yaml.LineOf("topics", 1), problem.Line);
    }

    [Fact]
    public void Bidi_and_zero_width_characters_are_stripped_from_the_title_while_the_source_keeps_them()
    {
        var item = Accept(ItemYaml.Valid().Set("title", "\u202EPay\u200B now\u2069 \u2066ok\uFEFF"));

        Assert.Equal("Pay now ok", item.Title);
        Assert.Contains("title: \"\u202EPay\u200B now\u2069 \u2066ok\\uFEFF\"", item.Document.Yaml);
    }

    [Fact]
    public void Bidi_and_zero_width_characters_are_stripped_from_related_titles()
    {
        var item = Accept(ItemFields.With("related[2].title", "\u200FOther\u200D story\u202C"));

        Assert.Equal("Other story", item.Related[2].Title);
    }

    [Fact]
    public void A_title_of_nothing_but_invisible_characters_is_refused_as_empty()
    {
        var problem = Refuse(ItemYaml.Valid().Set("title", "\u202E\u200B\u2060"));

        Assert.Equal("title", problem.Field);
        Assert.Equal("must not be empty", problem.Reason);
    }

    [Fact]
    public void A_category_with_a_bidi_character_is_refused_as_it_joins_the_managed_list()
    {
        var problem = Refuse(ItemYaml.Valid().Set("category", "news\u202E"));

        Assert.Equal("category", problem.Field);
        Assert.Equal("contains the invisible or bidirectional character U+202E at character 5", problem.Reason);
    }

    [Fact]
    public void Right_to_left_text_itself_is_accepted_in_titles_and_topics()
    {
        var item = Accept(ItemYaml.Valid().Set("title", "خبر عاجل עברית").Topics("الاقتصاد"));

        Assert.Equal("خبر عاجل עברית", item.Title);
        Assert.Equal(["الاقتصاد"], item.Topics);
    }

    [Fact]
    public void Two_spellings_of_one_topic_collapse_to_one_in_its_composed_form()
    {
        var item = Accept(ItemYaml.Valid().Topics("Cafe\u0301", "Caf\u00E9", "CAF\u00C9", "Tech"));

        Assert.Equal(["Caf\u00E9", "Tech"], item.Topics);
    }

    [Fact]
    public void A_decomposed_title_is_composed_to_NFC()
    {
        var item = Accept(ItemYaml.Valid().Set("title", "Cre\u0300me bru\u0302le\u0301e"));

        Assert.Equal("Cr\u00E8me br\u00FBl\u00E9e", item.Title);
    }
}
