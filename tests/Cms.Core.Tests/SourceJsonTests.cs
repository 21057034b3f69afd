using System.Text.Json;
using Cms.Core.FrontMatter;

namespace Cms.Core.Tests;

public sealed class SourceJsonTests
{
    private static JsonElement Json(string yaml) =>
        JsonDocument.Parse(SourceJson.Serialize(new YamlFrontMatterReader().ReadText("t.txt", "---\n" + yaml.TrimEnd() + "\n---\n").Root)).RootElement;

    [Fact]
    public void Scalars_become_their_YAML_core_types_and_quoted_ones_stay_strings()
    {
        var json = Json("""
            title: "123"
            quality: 85
            heat: -1
            ratio: 0.5
            published: true
            flag: "true"
            missing: ~
            big: 9223372036854775807
            when: 2023-11-27T16:06:00Z
            nan: .nan
            word: yes
            """);

        Assert.Equal("123", json.GetProperty("title").GetString());
        Assert.Equal(85, json.GetProperty("quality").GetInt32());
        Assert.Equal(-1, json.GetProperty("heat").GetInt32());
        Assert.Equal(0.5, json.GetProperty("ratio").GetDouble());
        Assert.True(json.GetProperty("published").GetBoolean());
        Assert.Equal("true", json.GetProperty("flag").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("missing").ValueKind);
        // The reader refuses integers beyond 64 bits (MergeKeyAndTagTests); the largest one stays exact.
        Assert.Equal(long.MaxValue, json.GetProperty("big").GetInt64());
        Assert.Equal("2023-11-27T16:06:00Z", json.GetProperty("when").GetString());
        Assert.Equal(".nan", json.GetProperty("nan").GetString());
        // YAML 1.2 core schema, as the CMS reads it: `yes` is a string.
        Assert.Equal("yes", json.GetProperty("word").GetString());
    }

    [Fact]
    public void Mappings_and_sequences_keep_their_order_and_nesting()
    {
        var json = Json("provider:\n  name: Outlet\n  domain: outlet.example\ntopics: [B, A]\nrelated:\n  - title: One\n    quality: 3\n");

        Assert.Equal(["provider", "topics", "related"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "domain"], json.GetProperty("provider").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["B", "A"], json.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(3, json.GetProperty("related")[0].GetProperty("quality").GetInt32());
    }
}
