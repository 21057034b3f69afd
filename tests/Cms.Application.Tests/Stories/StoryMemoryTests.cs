using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Core.Items;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests.Stories;

// One file a batch, so that every item is searched after the ones before it were written and held.
public sealed class OneFileBatchesFixture : ApplicationFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Import:BatchFiles", "1")];
}

// An import's writer keeps what the import wrote (StoryMemory) and asks the table only for items
// stored before it. What memory cannot know must still be what the table says: the current story
// of an item an editor moved, and the items of another import committed in between.
public sealed class StoryMemoryTests(OneFileBatchesFixture fixture) : IClassFixture<OneFileBatchesFixture>
{
    // A wire copy and the earlier tellings of its story, and an unrelated item, from a corpus of
    // their own (dates far from the other tests' items); the rest of the corpus is stored first, so
    // that the story's terms are rare among the items around it.
    private async Task<(List<string> Tellings, string Copy, string Unrelated)> StoryAsync(int seed)
    {
        var corpus = new StoryCorpusGenerator(seed).Generate(stories: 40, DateTimeOffset.Parse("2029-01-01T00:00:00Z").AddDays(seed % 100 * 60), TimeSpan.FromDays(10));
        var copy = corpus.Where(c => c.WireCopy).First(c => corpus.Any(o => o.Story == c.Story && !o.WireCopy && string.CompareOrdinal(o.FileName, c.FileName) < 0));
        var tellings = corpus.Where(c => c.Story == copy.Story && !c.WireCopy && string.CompareOrdinal(c.FileName, copy.FileName) < 0).Select(c => c.Text).ToList();
        var unrelated = corpus.First(c => c.Story != copy.Story && !c.WireCopy);
        await fixture.ImportAsync([.. corpus.Where(c => c.Story != copy.Story && c != unrelated).Select(c => c.Text)]);
        return (tellings, copy.Text, unrelated.Text);
    }

    private static List<ImportFile> Files(IEnumerable<string> texts) =>
        texts.Select((t, i) => ImportSources.FromBytes($"{Guid.NewGuid():N}_{i:D3}.txt", System.Text.Encoding.UTF8.GetBytes(t))).ToList();

    private async Task<Dictionary<string, (long Id, long StoryId)>> ImportAsync(List<ImportFile> files, IProgress<ImportReport> progress, bool? held = true)
    {
        var searched = fixture.Services.GetRequiredService<StoryGrouping>().Profile.SearchedWithMemory;
        var outcome = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, progress, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal(files.Count, outcome.Value!.Imported);
        // The memory was used: the batches after the first took their own rows from it.
        if (held is { } expected)
        {
            Assert.Equal(expected, fixture.Services.GetRequiredService<StoryGrouping>().Profile.SearchedWithMemory > searched);
        }
        var names = files.Select(f => f.Path).ToList();
        return fixture.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => (i.Id, i.StoryId)));
    }

    [Fact]
    public async Task An_item_an_editor_moved_to_another_story_during_the_import_is_joined_in_its_current_story()
    {
        var (tellings, copy, unrelated) = await StoryAsync(seed: 6161);
        var files = Files([unrelated, .. tellings, copy]);
        var moved = new List<long>();
        // After the tellings' batches, an editor moves each telling into the unrelated item's story.
        var progress = new RekeyedDuringImport.After(1 + tellings.Count, () =>
        {
            using var conn = new NpgsqlConnection(fixture.OwnerConnectionString);
            conn.Open();
            using var cmd = new NpgsqlCommand("""
                UPDATE items SET story_id = (SELECT story_id FROM items WHERE file_name = @unrelated)
                WHERE file_name = ANY(@tellings) RETURNING id
                """, conn);
            cmd.Parameters.AddWithValue("unrelated", files[0].Path);
            cmd.Parameters.AddWithValue("tellings", files.Skip(1).Take(tellings.Count).Select(f => f.Path).ToArray());
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                moved.Add(reader.GetInt64(0));
            }
        });
        var stored = await ImportAsync(files, progress);

        Assert.Equal(tellings.Count, moved.Count);
        Assert.Equal(stored[files[0].Path].StoryId, stored[files[^1].Path].StoryId);
    }

    [Fact]
    public async Task Items_of_another_import_committed_between_two_batches_are_candidates_of_the_next_batch()
    {
        var (tellings, copy, unrelated) = await StoryAsync(seed: 6262);
        var files = Files([unrelated, copy]);
        List<long> others = [];
        // After the first batch, another import stores the copy's tellings (ids after this import's).
        var progress = new RekeyedDuringImport.After(1, () => others = fixture.ImportAsync([.. tellings]).GetAwaiter().GetResult());
        // (The other import's own batches count as searches too: not checked.)
        var stored = await ImportAsync(files, progress, held: null);

        var tellingStories = fixture.Read(db => db.Items.Where(i => others.Contains(i.Id)).Select(i => i.StoryId).ToList());
        Assert.Equal(tellings.Count, tellingStories.Count);
        Assert.All(others, id => Assert.True(id > stored[files[0].Path].Id));
        Assert.Contains(stored[files[1].Path].StoryId, tellingStories);
    }

    // REVIEW11 R11-1: the memory kept the tellings' old keys and terms after another writer
    // re-keyed them, and the next batch joined the copy to them; the re-key count now drops it.
    [Fact]
    public Task A_copy_is_not_joined_to_items_another_writer_retitled_during_the_import() =>
        RekeyedDuringImport.A_copy_is_not_joined_to_items_retitled_by_another_writer_during_the_import(fixture, seed: 7171, filler: true);

    // Held or found again in the table, an item is the same candidate: a memory of one batch (the
    // newest is always held) and none at all choose what a memory of the whole import chooses.
    [Fact]
    public async Task A_memory_bounded_below_the_import_forms_the_stories_of_a_memory_of_all()
    {
        // Files in no time order, as a folder's hash order gives them: story mates in far batches.
        var corpus = new StoryCorpusGenerator(seed: 6363).Generate(stories: 120, DateTimeOffset.Parse("2029-09-01T00:00:00Z"), TimeSpan.FromDays(12));
        corpus = [.. corpus.OrderBy(c => c.FileName.Aggregate(17, (h, ch) => unchecked((h * 31) + ch))).ThenBy(c => c.FileName, StringComparer.Ordinal)];
        async Task<(List<string> Stories, long Held, StoryMemory Memory)> RunAsync(int memoryItems)
        {
            await using var app = new SettingsFixture([new("Import:BatchFiles", "25"), new("Stories:ImportMemoryItems", memoryItems.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            await app.InitializeAsync();
            var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
            StoryMemory? memory = null;
            var outcome = await app.RunAsync(async s =>
            {
                var result = await s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None);
                memory = s.GetRequiredService<ImportWriter>().HeldMemory;
                return result;
            });
            Assert.True(outcome.Succeeded, outcome.Result.Message);
            Assert.Equal(corpus.Count, outcome.Value!.Imported);
            var names = corpus.Select(c => c.FileName).ToList();
            var grouping = app.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => i.StoryId));
            var stories = grouping.GroupBy(e => e.Value).Select(g => string.Join(' ', g.Select(e => e.Key).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal).ToList();
            return (stories, app.Services.GetRequiredService<StoryGrouping>().Profile.SearchedWithMemory, memory!);
        }

        var all = await RunAsync(100_000);
        var oneBatch = await RunAsync(1);
        var none = await RunAsync(0);

        var batches = (corpus.Count + 24) / 25;
        Assert.Equal((corpus.Count, batches - 1), (all.Memory.Count, (int)all.Held));
        Assert.Equal(batches - 1, (int)oneBatch.Held);
        Assert.True(oneBatch.Memory.Count <= 25, $"{oneBatch.Memory.Count} items held");
        Assert.Equal((0, 0L), (none.Memory.Count, none.Held));
        Assert.True(all.Stories.Count < corpus.Count - 50, $"{all.Stories.Count} stories of {corpus.Count} items");
        Assert.Equal(none.Stories, all.Stories);
        Assert.Equal(none.Stories, oneBatch.Stories);
    }

    private sealed class SettingsFixture(IEnumerable<KeyValuePair<string, string?>> settings) : ApplicationFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => settings;
    }
}
