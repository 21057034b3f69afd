using System.Text;
using Cms.Application.Delivery;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Application.Topics;
using Cms.Core.Items;
using Cms.Core.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// POLISH10: topics that differ only in letter case are one topic, under the categories' rule
// (TopicNames.Normalize = CategoryNames.Key: simple case folding of the cleaned name). The import,
// the edit form, bulk actions, accepted revisions and the topics page take the vocabulary's
// spelling; the vocabulary's unique key (computed by the database, cms_category_key) refuses a
// twin whoever writes; delivery's ?topic= finds an item whatever the case asked.
public sealed class TopicCaseTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private readonly string _tag = Unique.Tag();

    private List<string> TopicsLike(string tag) =>
        app.Read(db => db.Topics.Where(t => t.Name.EndsWith(tag)).OrderBy(t => t.Id).Select(t => t.Name).ToList());

    private List<string> TopicsOf(long id) =>
        app.Read(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());

    private async Task<ImportReport> ImportAsync(Actor actor, params TestItem[] items)
    {
        var files = items.Select((item, i) => ImportSources.FromBytes($"{_tag}-{Guid.NewGuid():N}-{i}.txt", Encoding.UTF8.GetBytes(item.ToYaml()))).ToList();
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(actor, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        return outcome.Value!;
    }

    // The same decisions as for categories (CategoryCaseTests): long s, KELVIN SIGN (NFC makes it
    // K), final sigma, capital sharp s, MICRO SIGN and Cyrillic fold onto the usual letters; dotted
    // and dotless i stay apart (Turkish rules are a language's), and ß is not "ss".
    [Theory]
    [InlineData("Sport", "\u017Fport", true)]          // LATIN SMALL LETTER LONG S
    [InlineData("kultur", "\u212Aultur", true)]        // KELVIN SIGN
    [InlineData("ΟΔΟΣ", "οδος", true)]                 // final sigma
    [InlineData("ΟΔΟΣ", "Οδοσ", true)]                 // sigma in final position
    [InlineData("STRAẞE", "straße", true)]             // CAPITAL SHARP S
    [InlineData("НОВОСТИ", "новости", true)]           // Cyrillic
    [InlineData("µ-Tech", "μ-tech", true)]             // MICRO SIGN and GREEK SMALL LETTER MU
    [InlineData("İzmir", "izmir", false)]              // dotted capital I
    [InlineData("Izmir", "ızmir", false)]              // dotless small i
    [InlineData("STRASSE", "straße", false)]
    public async Task A_topic_that_folds_to_anothers_is_that_topic_and_other_look_alikes_are_not(string first, string second, bool same)
    {
        var ids = await app.ImportAsync(new TestItem { Topics = [$"{first} {_tag}"] }.ToYaml());
        ids.AddRange(await app.ImportAsync(new TestItem { Topics = [$"{second} {_tag}"] }.ToYaml()));

        var expected = same ? [UnicodeText.CleanName($"{first} {_tag}")] : new[] { $"{first} {_tag}", $"{second} {_tag}" }.Select(UnicodeText.CleanName).ToList();
        Assert.Equal(expected, TopicsLike(_tag));
        Assert.Equal([same ? expected[0] : expected[1]], TopicsOf(ids[1]));
    }

    [Fact]
    public async Task Case_twins_new_to_the_vocabulary_in_one_import_take_the_first_files_spelling_and_one_file_naming_both_has_one_link()
    {
        var report = await ImportAsync(Actors.Pipeline,
            new TestItem { Topics = [$"ΟΔΟΣ {_tag}"] }, new TestItem { Topics = [$"οδος {_tag}"] }, new TestItem { Topics = [$"\u017Fport {_tag}", $"SPORT {_tag}", $"Οδοσ {_tag}"] });

        Assert.Equal((3, 0), (report.Imported, report.Problems.Count));
        Assert.Equal([$"ΟΔΟΣ {_tag}", $"\u017Fport {_tag}"], TopicsLike(_tag));
        Assert.Equal([$"\u017Fport {_tag}", $"ΟΔΟΣ {_tag}"], TopicsOf(report.NewItems[2].Id));
    }

    // An editor may not create topics: before the rule "οδος" was an unknown topic and the file was refused.
    [Fact]
    public async Task An_editor_may_import_a_known_topic_in_another_case()
    {
        await app.ImportAsync(new TestItem { Topics = [$"ΟΔΟΣ {_tag}"] }.ToYaml());

        var report = await ImportAsync(Actors.Editor(), new TestItem { Topics = [$"οδος {_tag}"] });

        Assert.Equal((1, 0, 0), (report.Imported, report.Problems.Count, report.MissingTopics.Count));
        Assert.Equal([$"ΟΔΟΣ {_tag}"], TopicsLike(_tag));
        Assert.Equal([$"ΟΔΟΣ {_tag}"], TopicsOf(report.NewItems[0].Id));
    }

    private SaveItemEdits.Command Posting(long id, params string[] topics) => app.Read(db =>
    {
        var item = db.Items.AsNoTracking().Include(i => i.RelatedLinks).Single(i => i.Id == id);
        return new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, topics,
            item.RelatedLinks.OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), null);
    });

    private Task<Outcome> SaveAsync(Actor actor, SaveItemEdits.Command command) =>
        app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor, command, CancellationToken.None));

    [Fact]
    public async Task The_edit_form_links_a_posted_case_twin_to_the_vocabularys_topic()
    {
        await app.ImportAsync(new TestItem { Topics = [$"µ-Tech {_tag}"] }.ToYaml());
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];

        var outcome = await SaveAsync(Actors.Editor(), Posting(id, $"μ-TECH {_tag}"));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal([$"µ-Tech {_tag}"], TopicsOf(id));
        Assert.Equal([$"µ-Tech {_tag}"], TopicsLike(_tag));
    }

    [Fact]
    public async Task Saving_an_items_topics_in_another_case_is_no_change()
    {
        var id = (await app.ImportAsync(new TestItem { Topics = [$"ΟΔΟΣ {_tag}"] }.ToYaml()))[0];
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var outcome = await SaveAsync(Actors.Editor(), Posting(id, $"οδος {_tag}"));

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal(version, app.Read(db => db.Items.Single(i => i.Id == id).Version));
    }

    [Fact]
    public async Task A_bulk_action_adds_and_removes_the_vocabularys_topic_named_in_another_case()
    {
        await app.ImportAsync(new TestItem { Topics = [$"Sport {_tag}"] }.ToYaml());
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        Task<Outcome> BulkAsync(string action, string topic) => app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Editor(), new BulkEdit.Command([id], action, topic), CancellationToken.None));

        var added = await BulkAsync(BulkEdit.AddTopic, $"\u017FPORT {_tag}");

        Assert.True(added.Succeeded, added.Message);
        Assert.Equal([$"Sport {_tag}"], TopicsOf(id));
        Assert.Equal([$"Sport {_tag}"], TopicsLike(_tag));

        var removed = await BulkAsync(BulkEdit.RemoveTopic, $"\u017Fport {_tag}");

        Assert.True(removed.Succeeded, removed.Message);
        Assert.Empty(TopicsOf(id));
    }

    [Fact]
    public async Task Accepting_a_revisions_topics_in_another_case_links_the_vocabularys_topics()
    {
        var story = new TestItem { Topics = [$"ΟΔΟΣ {_tag}"] };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        await app.ImportAsync(new TestItem { Topics = [$"Markets {_tag}"] }.ToYaml());
        Assert.True((await SaveAsync(Actors.Editor(), Posting(id, $"ΟΔΟΣ {_tag}") with { Quality = 42 })).Succeeded);
        var files = new[] { ImportSources.FromBytes("r.txt", Encoding.UTF8.GetBytes((story with { Topics = [$"οδος {_tag}", $"MARKETS {_tag}"] }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        var row = Assert.Single(comparison!.Rows, r => r.Field == "topics");
        Assert.Equal($"ΟΔΟΣ {_tag}, Markets {_tag}", row.Incoming);
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Editor(), id, comparison.RevisionId, version, ["topics"], CancellationToken.None));

        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal([$"ΟΔΟΣ {_tag}", $"Markets {_tag}"], TopicsOf(id));
        Assert.Equal([$"ΟΔΟΣ {_tag}", $"Markets {_tag}"], TopicsLike(_tag));
    }

    private Task<Outcome> AdminAsync(Func<TopicAdministration, Task<Outcome>> work) =>
        app.RunAsync(s => work(s.GetRequiredService<TopicAdministration>()));

    [Fact]
    public async Task The_topics_page_refuses_to_create_or_rename_to_a_case_twin_and_renames_a_topic_in_case_only()
    {
        await app.ImportAsync(new TestItem { Topics = [$"ΟΔΟΣ {_tag}", $"Other {_tag}"] }.ToYaml());
        var other = app.Read(db => db.Topics.Single(t => t.Name == $"Other {_tag}").Id);
        var kept = app.Read(db => db.Topics.Single(t => t.Name == $"ΟΔΟΣ {_tag}").Id);

        var created = await AdminAsync(a => a.CreateAsync(Actors.Publisher(), $"οδος {_tag}", CancellationToken.None));
        var renamed = await AdminAsync(a => a.RenameAsync(Actors.Publisher(), other, $"Οδοσ {_tag}", CancellationToken.None));
        var recased = await AdminAsync(a => a.RenameAsync(Actors.Publisher(), kept, $"Οδος {_tag}", CancellationToken.None));

        Assert.Equal(OutcomeStatus.Invalid, created.Status);
        Assert.Contains("already exists", created.Message);
        Assert.Equal(OutcomeStatus.Invalid, renamed.Status);
        Assert.Contains("merge the two topics", renamed.Message);
        Assert.True(recased.Succeeded, recased.Message);
        Assert.Equal([$"Οδος {_tag}", $"Other {_tag}"], TopicsLike(_tag));
        Assert.Equal(TopicNames.Normalize($"ΟΔΟΣ {_tag}"), app.Read(db => db.Topics.Single(t => t.Id == kept).NormalizedName));
    }

    [Fact]
    public async Task The_vocabulary_refuses_a_case_twin_whoever_writes_it()
    {
        await app.ImportAsync(new TestItem { Topics = [$"ΟΔΟΣ {_tag}"] }.ToYaml());

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            app.OwnerAsync("INSERT INTO topics (name, from_import, created_at) VALUES ($1, false, now()) RETURNING id", $"οδος {_tag}"));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal("ix_topics_normalized_name", refused.ConstraintName);
    }

    // The database computes the key a topic is looked up by (topics.normalized_name); it must give
    // TopicNames.Normalize's answer, or a lookup by the C# key misses the row (the function's every
    // code point is checked in CategoryCaseTests).
    [Theory]
    [MemberData(nameof(CategoryCaseTests.Corpus), MemberType = typeof(CategoryCaseTests))]
    public async Task The_databases_topic_key_agrees_with_the_rule_on_a_corpus_of_names(string name)
    {
        var clean = UnicodeText.CleanName($"{name} {_tag}");

        var key = (string)(await app.OwnerAsync("INSERT INTO topics (name, from_import, created_at) VALUES ($1, false, now()) RETURNING normalized_name", clean))!;

        Assert.Equal(TopicNames.Normalize($"{name} {_tag}"), key);
    }

    // As DeliveryRecorder writes a delivered row: the names, and their keys beside them.
    private async Task<long> DeliveredAsync(params string[] topics)
    {
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        await app.OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, topic_keys, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), NULL, $2, $3, '{}', '', '')
            """, id, topics, topics.Select(TopicNames.Normalize).ToArray());
        return id;
    }

    private Task<List<PublishedQuery.Entry>> ByTopicAsync(string topic) =>
        app.RunAsync(s => s.GetRequiredService<PublishedQuery>().NewestAsync(null, topic, null, 10, CancellationToken.None));

    // Delivered under the spelling of its day; found under any case, and after a rename in case only.
    [Theory]
    [InlineData("οδος")]
    [InlineData("ΟΔΟΣ")]
    [InlineData("Οδοσ")]
    [InlineData(" οδος ")]
    public async Task Delivery_finds_a_topic_whatever_the_case_asked(string typed)
    {
        var id = await DeliveredAsync($"Other {_tag}", $"ΟΔΟΣ {_tag}");
        var twin = await DeliveredAsync($"οδος {_tag}");

        var found = await ByTopicAsync($"{typed} {_tag.ToUpperInvariant()}");

        Assert.Equal([twin, id], found.Select(e => e.Id));
    }

    // No pattern matching: % and _ are letters of the name, a backslash is a backslash.
    [Fact]
    public async Task Delivery_matches_percent_underscore_and_backslash_as_themselves()
    {
        var id = await DeliveredAsync($"100% A_b\\c {_tag}");

        Assert.Equal([id], (await ByTopicAsync($"100% a_B\\C {_tag}")).Select(e => e.Id));
        Assert.Empty(await ByTopicAsync($"100_ a%b\\c {_tag}"));
        Assert.Empty(await ByTopicAsync($"100% a_bc {_tag}"));
        Assert.Empty(await ByTopicAsync("%"));
        Assert.Empty(await ByTopicAsync("_"));
        Assert.Empty(await ByTopicAsync("\\"));
    }

    // The feeds refuse more than 200 characters; a longer value reaching the query is still only a
    // value (no index entry is made of it).
    [Fact]
    public async Task Delivery_answers_a_very_long_topic_with_nothing()
    {
        var id = await DeliveredAsync($"{new string('Σ', 200)} {_tag}");

        Assert.Empty(await ByTopicAsync(new string('σ', 100_000)));
        Assert.Equal([id], (await ByTopicAsync($"{new string('ς', 200)} {_tag}")).Select(e => e.Id));
    }
}
