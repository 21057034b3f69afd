using Cms.Core.FrontMatter;
using Cms.Core.Items;

namespace Cms.Core.Tests;

public sealed class RoundTripTests
{
    private readonly YamlFrontMatterReader _reader = new();
    private readonly YamlFrontMatterWriter _writer = new();

    [Fact]
    public void Writing_then_reading_generated_items_gives_the_same_mapping()
    {
        var generator = new ItemFileGenerator(seed: 7);
        for (var i = 0; i < 400; i++)
        {
            var original = _reader.ReadText($"{i}.txt", generator.Next(i)).Root;

            var written = _writer.Write(original);
            var reread = _reader.ReadText($"{i}.txt", written).Root;

            Assert.Equal(SourceNodes.Canonical(original), SourceNodes.Canonical(reread));
            Assert.Equal(((SourceScalar)original["secured"]!).Value, ((SourceScalar)reread["secured"]!).Value);
        }
    }

    [Fact]
    public void The_real_sample_survives_a_write_with_types_and_secured_unchanged()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "sample.txt");
        var original = _reader.ReadText(path, File.ReadAllText(path)).Root;

        var written = _writer.Write(original);

        Assert.Equal(SourceNodes.Canonical(original), SourceNodes.Canonical(_reader.ReadText(path, written).Root));
        var securedLine = File.ReadAllLines(path).Single(l => l.StartsWith("secured:", StringComparison.Ordinal));
        Assert.Contains(securedLine, written.Split('\n'));
        Assert.Contains("quality: 39\n", written);
        Assert.Contains("published: false\n", written);
        Assert.Contains("publishedDateTime: 2023-11-27T16:06:00Z\n", written);
    }

    [Fact]
    public void Canonical_form_tells_a_quoted_number_from_a_number()
    {
        var number = _reader.ReadText("a", "---\nq: 39\n---\n").Root;
        var text = _reader.ReadText("b", "---\nq: \"39\"\n---\n").Root;

        Assert.NotEqual(SourceNodes.Canonical(number), SourceNodes.Canonical(text));
    }

    [Fact]
    public void Export_of_an_untouched_item_keeps_the_mapping_and_published_follows_the_state()
    {
        var document = _reader.ReadText("a", new ItemFileGenerator(3).Next(1));
        var source = document.Root;
        var topics = ItemParser.Validate(document).Topics;

        var untouched = ItemExport.Apply(source, new ItemEdits(WorkflowState.New, false, 5, "other", topics, new HashSet<string>()));
        var published = ItemExport.Apply(source, new ItemEdits(WorkflowState.Published, false, 5, "other", topics, new HashSet<string>()));

        Assert.Equal(SourceNodes.Canonical(source), SourceNodes.Canonical(untouched));
        Assert.Equal("true", ((SourceScalar)published["published"]!).Value);
        Assert.Equal(source.Entries.Select(e => e.Key), published.Entries.Select(e => e.Key));
    }

    [Fact]
    public void Export_of_an_edited_item_carries_quality_topics_and_only_approved_links()
    {
        var source = _reader.ReadText("a", """
            ---
            title: t
            originalUrl: "https://e.com/a"
            quality: 10
            topics: [A, B]
            related:
              - title: first
                webUrl: "https://a.example/1"
              - title: second
                webUrl: "https://b.example/2"
              - title: third
                webUrl: "https://c.example/3"
            extra: {kept: true}
            ---
            """).Root;

        var edited = ItemExport.Apply(source, new ItemEdits(WorkflowState.Ready, true, 77, "science", ["B", "C"], new HashSet<string> { "https://a.example/1", "https://c.example/3" }));

        Assert.Equal("77", ((SourceScalar)edited["quality"]!).Value);
        Assert.Equal("science", ((SourceScalar)edited["category"]!).Value);
        Assert.Equal(["B", "C"], ((SourceSequence)edited["topics"]!).Items.Cast<SourceScalar>().Select(s => s.Value));
        var titles = ((SourceSequence)edited["related"]!).Items.Cast<SourceMapping>().Select(m => ((SourceScalar)m["title"]!).Value);
        Assert.Equal(["first", "third"], titles);
        Assert.Equal(SourceNodes.Canonical(source["extra"]!), SourceNodes.Canonical(edited["extra"]!));
        Assert.Equal([.. source.Entries.Select(e => e.Key), "category"], edited.Entries.Select(e => e.Key));
    }

    [Fact]
    public void A_renamed_topic_is_exported_even_for_an_item_nobody_edited()
    {
        var source = _reader.ReadText("a", "---\ntitle: t\noriginalUrl: \"https://e.com/a\"\ntopics: [AI, Space]\n---\n").Root;

        var exported = ItemExport.Apply(source, new ItemEdits(WorkflowState.New, false, null, null, ["Artificial Intelligence", "Space"], new HashSet<string>()));

        Assert.Equal(["Artificial Intelligence", "Space"], ((SourceSequence)exported["topics"]!).Items.Cast<SourceScalar>().Select(s => s.Value));
    }
}
