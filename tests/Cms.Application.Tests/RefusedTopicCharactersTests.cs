using Cms.Core.Text;
using Cms.Migrations.Sql;
using Npgsql;

namespace Cms.Application.Tests;

// POLISH9: topics stored before the joiner rule and the noncharacter rule are cleaned by the
// migration CleanRefusedTopicCharacters (RefusedTopicCharactersSql): the characters the rule refuses
// removed (the SQL agrees with UnicodeText's C# rule), a topic whose cleaned name another has
// merged into the oldest, every list change audited by system:name-fold, a second run a no-op.
public sealed class RefusedTopicCharactersTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<NpgsqlConnection> OwnerAsync()
    {
        var conn = new NpgsqlConnection(app.OwnerConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private Task OwnerAsync(string sql, params object[] values) => app.OwnerAsync(sql, values);

    public static TheoryData<string> Names() =>
    [
        "AI\u200D", "\u200CAI", "a\u200Cb", "A \u200D B",
        "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", // Persian: ZWNJ between joining letters (kept)
        "\u0628\u064E\u200C\u0628", // a transparent mark between the letter and the ZWNJ (kept)
        "\u0627\u200C\u0628", // alef joins only to the right: nothing joins across (removed)
        "\u0915\u094D\u200D\u0937", "\u0915\u094D\u200C\u0937", // after a virama (kept)
        "\u0915\u094D\uFDD0\u200D\u0937", // a noncharacter between the virama and the joiner (both removed)
        "\U0001F468\u200D\U0001F469\u200D\U0001F467", // family (kept)
        "\U0001F3F3\uFE0F\u200D\U0001F308", // rainbow flag (kept)
        "\U0001F44D\U0001F3FD\u200D\U0001F468", // a toned base and a continuation
        "\U0001F600\u200D\U0001F600", // two emoji that form no sequence (removed)
        "News\uFDD0", "X\U0001FFFE Y\U0010FFFF", "\u200D\uFDD1",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task The_migrations_strip_agrees_with_the_name_rule(string name)
    {
        await using var conn = await OwnerAsync();
        await using (var create = new NpgsqlCommand(RefusedTopicCharactersSql.StripFunction, conn))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var strip = new NpgsqlCommand("SELECT pg_temp.cms_strip_refused($1)", conn) { Parameters = { new() { Value = name } } };

        var sql = (string)(await strip.ExecuteScalarAsync())!;

        Assert.Equal(UnicodeText.StripNoncharacters(UnicodeText.StripInvisible(name)), sql);
        Assert.Equal((-1, -1), (UnicodeText.FindInvisibleOrBidi(sql), UnicodeText.FindNoncharacter(sql)));
    }

    [Fact]
    public async Task Topics_holding_a_refused_character_are_cleaned_or_merged_with_an_audit_event_each_and_a_second_run_changes_nothing()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var ids = await app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml());
        var persian = $"\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645 {tag}";
        string[] names = [$"Markets {tag}", $"Markets\u200D {tag}", $"Solo\uFDD0 {tag}", persian, $"\u200D\uFDD1{tag[..0]}"];
        foreach (var name in names)
        {
            await OwnerAsync("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, lower($1), true, now())", name);
        }
        var topicIds = app.Read(db => names.Select(n => db.Topics.Single(t => t.Name == n).Id).ToList());
        async Task TagAsync(long item, int topic, int position) =>
            await OwnerAsync("INSERT INTO item_topics (item_id, topic_id, position) VALUES ($1, $2, $3)", item, topic, position);
        await TagAsync(ids[0], topicIds[0], 0);
        await TagAsync(ids[1], topicIds[1], 0);
        await TagAsync(ids[2], topicIds[0], 0);
        await TagAsync(ids[2], topicIds[1], 1);
        await TagAsync(ids[2], topicIds[2], 2);
        var versions = app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList());

        await OwnerAsync(RefusedTopicCharactersSql.Clean);

        var topics = app.Read(db => db.Topics.Where(t => topicIds.Contains(t.Id)).OrderBy(t => t.Id).Select(t => new { t.Id, t.Name, t.NormalizedName }).ToList());
        Assert.Equal([topicIds[0], topicIds[2], topicIds[3], topicIds[4]], topics.Select(t => t.Id));
        Assert.Equal([$"Markets {tag}", $"Solo {tag}", persian, $"Topic #{topicIds[4]}"], topics.Select(t => t.Name));
        Assert.Equal([$"markets {tag}", $"solo {tag}", persian, $"topic #{topicIds[4]}"], topics.Select(t => t.NormalizedName));
        Assert.Equal(new List<int>[] { [topicIds[0]], [topicIds[0]], [topicIds[0], topicIds[2]] },
            app.Read(db => ids.Select(id => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.TopicId).ToList()).ToList()));
        Assert.Equal(new[] { true, false, false }, app.Read(db => ids.Select((id, n) => db.Items.Single(i => i.Id == id).Version == versions[n]).ToList()));
        var keys = topicIds.Select(t => t.ToString()).ToList();
        var events = app.Read(db => db.AuditEvents.Where(e => e.EntityType == "topic" && keys.Contains(e.EntityId!)).OrderBy(e => e.Id)
            .Select(e => new { e.Action, e.EntityId, e.Actor, e.Data }).ToList());
        Assert.All(events, e => Assert.Equal("system:name-fold", e.Actor));
        Assert.Equal([("topic.renamed", keys[2]), ("topic.renamed", keys[4]), ("topic.merged", keys[0])], events.Select(e => (e.Action, e.EntityId!)));
        Assert.Equal($"Markets\u200D {tag}", System.Text.Json.JsonDocument.Parse(events[2].Data!).RootElement.GetProperty("from").GetString());

        await OwnerAsync(RefusedTopicCharactersSql.Clean);

        Assert.Equal(3, app.Read(db => db.AuditEvents.Count(e => e.EntityType == "topic" && keys.Contains(e.EntityId!))));
    }
}
