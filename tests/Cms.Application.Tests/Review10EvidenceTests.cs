using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Configurations;
using Cms.Data.Entities;
using Cms.Migrations.Sql;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// REVIEW10 evidence (failing tests on 3380fd3; the fixes are FIX12's).
public sealed class Review10EvidenceTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    // 🚶‍♀️‍➡️ woman walking facing right (RGI, Emoji 15.1): its second joiner follows the gender sign,
    // which fix11 made a base in C# (R9-2) after POLISH9 generated the migration's classes.
    private const string WomanWalkingFacingRight = "\U0001F6B6\u200D\u2640\uFE0F\u200D\u27A1\uFE0F";

    private async Task<NpgsqlConnection> OwnerAsync()
    {
        var conn = new NpgsqlConnection(app.OwnerConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    // R10-1: the migration's SQL rule and UnicodeText's C# rule disagree on the 36 "facing right"
    // gender sequences: the SQL removes the joiner after U+2640/U+2642 that the C# rule keeps.
    [Fact]
    public async Task The_migrations_strip_keeps_the_second_joiner_of_a_facing_right_gender_sequence_as_the_name_rule_does()
    {
        await using var conn = await OwnerAsync();
        await using (var create = new NpgsqlCommand(RefusedTopicCharactersSql.StripFunction, conn))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var strip = new NpgsqlCommand("SELECT pg_temp.cms_strip_refused($1)", conn) { Parameters = { new() { Value = WomanWalkingFacingRight } } };

        var sql = (string)(await strip.ExecuteScalarAsync())!;

        Assert.Equal(WomanWalkingFacingRight, UnicodeText.StripNoncharacters(UnicodeText.StripInvisible(WomanWalkingFacingRight)));
        Assert.Equal(WomanWalkingFacingRight, sql);
    }

    // R10-1 as the migration runs: a topic the name rule accepts today is renamed (its second joiner
    // removed) with a topic.renamed event, and the next import of the same name makes a second topic.
    [Fact]
    public async Task A_topic_the_name_rule_keeps_is_left_unchanged_by_CleanRefusedTopicCharacters()
    {
        var tag = Unique.Tag();
        var name = $"{WomanWalkingFacingRight} {tag}";
        Assert.Null(UnicodeText.NameProblem(name));
        await using (var conn = await OwnerAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, lower($1), true, now())", conn)
            {
                Parameters = { new() { Value = name } },
            };
            await insert.ExecuteNonQueryAsync();
        }
        var id = app.Read(db => db.Topics.Single(t => t.Name == name).Id);

        await using (var conn = await OwnerAsync())
        {
            await using var clean = new NpgsqlCommand(RefusedTopicCharactersSql.Clean, conn);
            await clean.ExecuteNonQueryAsync();
        }

        Assert.Equal(name, app.Read(db => db.Topics.Single(t => t.Id == id).Name));
        Assert.Equal(0, app.Read(db => db.AuditEvents.Count(e => e.EntityType == "topic" && e.EntityId == id.ToString())));
    }

    // R10-1 over Unicode's whole list (the Core tests' copy of emoji-zwj-sequences-15.1.txt): every
    // RGI ZWJ sequence the C# rule keeps whole, the migration's SQL must keep whole too.
    [Fact]
    public async Task The_migrations_strip_keeps_every_rgi_zwj_sequence_the_name_rule_keeps()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Cms.sln")))
        {
            root = root.Parent!;
        }
        var sequences = File.ReadLines(Path.Combine(root.FullName, "tests", "Cms.Core.Tests", "Data", "emoji-zwj-sequences-15.1.txt"))
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split(';', 2))
            .Select(f => (Sequence: string.Concat(f[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(cp => char.ConvertFromUtf32(Convert.ToInt32(cp, 16)))), Name: f[1].Trim()))
            .ToList();
        await using var conn = await OwnerAsync();
        await using (var create = new NpgsqlCommand(RefusedTopicCharactersSql.StripFunction, conn))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var strip = new NpgsqlCommand("SELECT s, pg_temp.cms_strip_refused(s) FROM unnest($1::text[]) s", conn) { Parameters = { new() { Value = sequences.Select(s => s.Sequence).ToArray() } } };
        var broken = new List<string>();
        await using (var reader = await strip.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (reader.GetString(0) != reader.GetString(1))
                {
                    broken.Add(sequences.First(s => s.Sequence == reader.GetString(0)).Name);
                }
            }
        }

        Assert.Equal(1468, sequences.Count);
        Assert.All(sequences, s => Assert.Equal(s.Sequence, UnicodeText.StripNoncharacters(UnicodeText.StripInvisible(s.Sequence))));
        Assert.True(broken.Count == 0, $"{broken.Count} sequences broken by the SQL: {string.Join("; ", broken.Take(8))}");
    }

    // R10-1, what follows: after the migration the stored key has lost the joiner, so importing a
    // file with the very name the topic had makes a second topic beside the renamed one.
    [Fact]
    public async Task After_CleanRefusedTopicCharacters_a_file_naming_a_facing_right_topic_is_linked_to_the_existing_topic()
    {
        var tag = Unique.Tag();
        var name = $"{WomanWalkingFacingRight} {tag}";
        await using (var conn = await OwnerAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, lower($1), true, now())", conn)
            {
                Parameters = { new() { Value = name } },
            };
            await insert.ExecuteNonQueryAsync();
            await using var clean = new NpgsqlCommand(RefusedTopicCharactersSql.Clean, conn);
            await clean.ExecuteNonQueryAsync();
        }

        var ids = await app.ImportAsync(new TestItem { Topics = [name] }.ToYaml());

        Assert.Equal(1, app.Read(db => db.Topics.Count(t => t.Name.EndsWith(tag))));
        Assert.Single(app.Read(db => db.ItemTopics.Where(t => t.ItemId == ids[0]).ToList()));
    }

    // R10-2: a view renamed for its number whose name is one grapheme cluster longer than the cut
    // (a chain of ZWJ-joined people, which the joiner rule keeps) is cut by Clip's fallback between
    // code points, right after a joiner: "👨‍👨…👨‍ (12)". That dangling joiner is what NameProblem
    // refuses, so the next run renames the view again (REVIEW9 R9-3a's class, through the clip).
    [Fact]
    public async Task A_view_renamed_for_its_number_keeps_no_dangling_joiner_and_is_renamed_once()
    {
        var tag = Unique.Tag();
        var owner = Guid.NewGuid().ToString();
        var (clash, id) = await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            db.Users.Add(new CmsUser { Id = owner, UserName = $"{tag}@example.com", Email = $"{tag}@example.com" });
            SavedView View(string name) => new() { Name = name, OwnerId = owner, OwnerName = $"{tag}@example.com", Query = "state=New", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            var (a, b) = (View($"a {tag}"), View($"b {tag}"));
            db.SavedViews.AddRange(a, b);
            await db.SaveChangesAsync();
            // One cluster (UAX #29 GB11 chains ExtPict ZWJ ExtPict) laid out so the cut for " (id)"
            // falls right after a joiner whatever the id's length.
            var cut = SavedViewConfiguration.MaxNameLength - $" ({b.Id})".Length;
            var chain = (cut % 3) switch
            {
                0 => "\U0001F468",
                2 => "\U0001F468\U0001F3FD",
                _ => "\U0001F468\U0001F3FD\u200D\U0001F468\U0001F3FD",
            };
            while (chain.Length < SavedViewConfiguration.MaxNameLength - 3)
            {
                chain += "\u200D\U0001F468";
            }
            Assert.Equal('\u200D', chain[cut - 1]);
            Assert.Null(UnicodeText.NameProblem(chain));
            a.Name = chain;
            b.Name = chain + "\uFFFE";
            await db.SaveChangesAsync();
            return (a.Id, b.Id);
        });

        await app.RunAsync(s => s.GetRequiredService<StoredTextReread>().RunAsync(CancellationToken.None));
        var first = app.Read(db => db.SavedViews.Single(v => v.Id == id).Name);
        await app.RunAsync(s => s.GetRequiredService<StoredTextReread>().RunAsync(CancellationToken.None));

        Assert.EndsWith($" ({id})", first);
        Assert.Null(UnicodeText.NameProblem(first));
        Assert.Equal(first, app.Read(db => db.SavedViews.Single(v => v.Id == id).Name));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.ViewRenamedByRule && e.EntityId == id.ToString())));
        Assert.NotEqual(clash, id);
    }
    // R10-5: the queue cuts a long title in SQL (substring counts code points), so a ZWJ family at
    // the 300th code point leaves "👨\u200D…" on the queue page: the shape R9-6 fixed in
    // UnicodeText.Clip, which the README says every title shown on a page goes through.
    [Fact]
    public async Task The_queues_cut_title_never_ends_in_a_joiner()
    {
        var tag = Unique.Tag();
        var lead = tag + " " + new string('a', Cms.Application.Queue.QueueQuery.TitleChars - 2 - tag.Length - 1);
        await app.ImportAsync(new TestItem { Title = lead + "\U0001F468\u200D\U0001F469\u200D\U0001F467 family" }.ToYaml());

        var page = await app.RunAsync(s => s.GetRequiredService<Cms.Application.Queue.QueueQuery>().PageAsync(new Cms.Application.Queue.QueueView { Q = tag }, CancellationToken.None));
        var title = page.Items.Single(r => r.Title.StartsWith(tag, StringComparison.Ordinal)).Title;

        Assert.EndsWith("…", title);
        Assert.DoesNotContain("\u200D…", title);
    }
}

