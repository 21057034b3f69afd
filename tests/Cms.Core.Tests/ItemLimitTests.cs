using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class ItemLimitTests
{
    private readonly ItemParser _parser = new(new YamlFrontMatterReader());

    private ReadProblem Refuse(ItemYaml yaml) =>
        Assert.Throws<FrontMatterException>(() => _parser.Parse("in/001_x.txt", yaml.ToBytes())).Problem;

    private ParsedItem Accept(ItemYaml yaml) => _parser.Parse("in/001_x.txt", yaml.ToBytes());

    [Theory]
    [InlineData("title", 1_000)]
    [InlineData("excerpt", 20_000)]
    [InlineData("category", 100)]
    [InlineData("type", 50)]
    [InlineData("provider.name", 200)]
    [InlineData("provider.domain", 200)]
    [InlineData("originalUrl", 2_048)]
    [InlineData("webUrl", 2_048)]
    [InlineData("topics[1]", 100)]
    [InlineData("related[2].title", 1_000)]
    [InlineData("related[2].excerpt", 5_000)]
    [InlineData("related[2].webUrl", 2_048)]
    [InlineData("related[2].provider.name", 200)]
    [InlineData("related[2].provider.domain", 200)]
    [InlineData("images[1].url", 2_048)]
    public void A_value_at_its_default_limit_is_accepted(string field, int limit)
    {
        var value = ItemFields.ValueOfLength(field, limit);

        var item = Accept(ItemFields.With(field, value));

        Assert.Equal(value, ItemFields.Read(item, field));
    }

    [Theory]
    [InlineData("title", 1_000, "is 1,001 characters, over the limit of 1,000")]
    [InlineData("excerpt", 20_000, "is 20,001 characters, over the limit of 20,000")]
    [InlineData("category", 100, "is 101 characters, over the limit of 100")]
    [InlineData("type", 50, "is 51 characters, over the limit of 50")]
    [InlineData("provider.name", 200, "is 201 characters, over the limit of 200")]
    [InlineData("provider.domain", 200, "is 201 characters, over the limit of 200")]
    [InlineData("originalUrl", 2_048, "is 2,049 characters, over the limit of 2,048")]
    [InlineData("webUrl", 2_048, "is 2,049 characters, over the limit of 2,048")]
    [InlineData("topics[1]", 100, "is 101 characters, over the limit of 100")]
    [InlineData("related[2].title", 1_000, "is 1,001 characters, over the limit of 1,000")]
    [InlineData("related[2].excerpt", 5_000, "is 5,001 characters, over the limit of 5,000")]
    [InlineData("related[2].webUrl", 2_048, "is 2,049 characters, over the limit of 2,048")]
    [InlineData("related[2].provider.name", 200, "is 201 characters, over the limit of 200")]
    [InlineData("related[2].provider.domain", 200, "is 201 characters, over the limit of 200")]
    [InlineData("images[1].url", 2_048, "is 2,049 characters, over the limit of 2,048")]
    public void A_value_one_over_its_default_limit_is_refused_naming_the_field_and_its_place(string field, int limit, string reason)
    {
        var value = ItemFields.ValueOfLength(field, limit + 1);
        var yaml = ItemFields.With(field, value);

        var problem = Refuse(yaml);

        Assert.Equal(field, problem.Field);
        Assert.Equal(reason, problem.Reason);
        var (line, column) = ItemFields.PositionOf(yaml.ToString(), value);
        Assert.Equal(line, problem.Line);
        Assert.Equal(column, problem.Column);
        Assert.StartsWith($"in/001_x.txt:{line}:{column}: {field}: is ", problem.ToString());
    }

    // Within the 2,048 characters, but nine bytes a character once percent-encoded: over what one
    // link's identity may be (LinkIdentity.MaxLength), so no writer of related links takes it.
    [Fact]
    public void A_related_url_too_long_to_be_a_link_once_normalized_is_refused_naming_the_field_and_its_place()
    {
        var value = "https://cjk.example/" + new string(Enumerable.Range(0, 1900).Select(i => (char)(0x4E00 + i % 5000)).ToArray());
        var yaml = ItemFields.With("related[2].webUrl", value);

        var problem = Refuse(yaml);

        Assert.Equal("related[2].webUrl", problem.Field);
        Assert.Equal("is too long to be a related link: 17,120 bytes once normalized, over the limit of 2,600", problem.Reason);
        Assert.Equal(ItemFields.PositionOf(yaml.ToString(), value), (problem.Line!.Value, problem.Column!.Value));
        Assert.Null(LinkIdentity.TooLong(LinkIdentity.Of(ItemFields.ValueOfLength("related[2].webUrl", 2_048))!));
    }

    [Fact]
    public void Fifty_topics_are_accepted_and_fifty_one_are_refused()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => $"topic {i}").ToArray();

        Assert.Equal(50, Accept(ItemYaml.Valid().Topics(fifty)).Topics.Count);

        var yaml = ItemYaml.Valid().Topics([.. fifty, "topic 51"]);
        var problem = Refuse(yaml);
        Assert.Equal("topics", problem.Field);
        Assert.Equal("has 51 entries, over the limit of 50", problem.Reason);
        Assert.Equal(yaml.LineOf("topics", 0), problem.Line);
    }

    [Fact]
    public void Fifty_related_links_are_accepted_and_fifty_one_are_refused()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => ItemYaml.Link("title", $"link {i}")).ToArray();

        Assert.Equal(50, Accept(ItemYaml.Valid().Related(fifty)).Related.Count);

        var yaml = ItemYaml.Valid().Related([.. fifty, ItemYaml.Link("title", "link 51")]);
        var problem = Refuse(yaml);
        Assert.Equal("related", problem.Field);
        Assert.Equal("has 51 entries, over the limit of 50", problem.Reason);
        Assert.Equal(yaml.LineOf("related", 0), problem.Line);
    }

    [Fact]
    public void Fifty_images_are_accepted_and_fifty_one_are_refused()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => ItemYaml.Link("url", $"https://img.example/{i}.jpg")).ToArray();

        Assert.Equal(50, Accept(ItemYaml.Valid().Images(fifty)).Images.Count);

        var yaml = ItemYaml.Valid().Images([.. fifty, ItemYaml.Link("url", "https://img.example/51.jpg")]);
        var problem = Refuse(yaml);
        Assert.Equal("images", problem.Field);
        Assert.Equal("has 51 entries, over the limit of 50", problem.Reason);
        Assert.Equal(yaml.LineOf("images", 0), problem.Line);
    }

    [Fact]
    public void Limits_given_to_the_parser_replace_the_defaults()
    {
        var parser = new ItemParser(new YamlFrontMatterReader(), new ItemLimits { MaxTitleLength = 10, MaxTopics = 2 });

        Assert.Equal("0123456789", parser.ParseText("a.txt", ItemYaml.Valid().Set("title", "0123456789").ToString()).Title);
        var title = Assert.Throws<FrontMatterException>(() => parser.ParseText("a.txt", ItemYaml.Valid().Set("title", "0123456789X").ToString())).Problem;
        Assert.Equal("is 11 characters, over the limit of 10", title.Reason);
        var topics = Assert.Throws<FrontMatterException>(() => parser.ParseText("a.txt", ItemYaml.Valid().Topics("a", "b", "c").ToString())).Problem;
        Assert.Equal("has 3 entries, over the limit of 2", topics.Reason);
    }

    [Fact]
    public void Static_validation_takes_limits_too_and_uses_the_defaults_without_them()
    {
        var document = new YamlFrontMatterReader().ReadText("a.txt", ItemYaml.Valid().Set("type", "article").ToString());

        Assert.Equal("article", ItemParser.Validate(document).Type);
        var problem = Assert.Throws<FrontMatterException>(() => ItemParser.Validate(document, new ItemLimits { MaxTypeLength = 3 })).Problem;
        Assert.Equal("type", problem.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_limit_below_one_is_refused_when_the_parser_is_built_naming_the_setting(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ItemParser(new YamlFrontMatterReader(), new ItemLimits { MaxUrlLength = value }));

        Assert.Equal("Import:Limits:MaxUrlLength", error.ParamName);
    }

    [Fact]
    public void Every_generated_item_is_accepted_under_the_default_limits()
    {
        var generator = new ItemFileGenerator(seed: 11);
        for (var i = 0; i < 500; i++)
        {
            _parser.ParseText($"{i}.txt", generator.Next(i));
        }
    }

    [Fact]
    public void Every_sample_file_is_accepted_under_the_default_limits()
    {
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "samples"));

        Assert.NotEmpty(samples);
        foreach (var path in samples)
        {
            _parser.Parse(path, File.ReadAllBytes(path));
        }
    }
}
