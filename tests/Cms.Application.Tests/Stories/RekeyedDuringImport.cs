using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Data;
using Cms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests.Stories;

// One file a batch and no StoryMemory: every candidate comes from the table or a search begun ahead.
public sealed class NoMemoryOneFileBatchesFixture : ApplicationFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Import:BatchFiles", "1"), new("Stories:ImportMemoryItems", "0")];
}

// REVIEW11 R11-1: another writer re-keys items of a running import (what an accepted source
// revision or reread-text does: StoryKeyUpkeep.RekeyAsync rewrites story_window_keys and
// story_term_ids in its own transaction). The import's later batches must see the items as the
// table now has them, not as its StoryMemory or a search begun before the re-key found them.
internal static class RekeyedDuringImport
{
    // A wire copy and the earlier tellings of its story, an unrelated item and a filler of other
    // stories, from a corpus of their own; the rest of the corpus is stored first.
    private static async Task<(List<string> Tellings, string Copy, string Unrelated, string Filler)> StoryAsync(ApplicationFixture fixture, int seed)
    {
        var corpus = new StoryCorpusGenerator(seed).Generate(stories: 40, DateTimeOffset.Parse("2029-01-01T00:00:00Z").AddDays(seed % 100 * 60), TimeSpan.FromDays(10));
        var copy = corpus.Where(c => c.WireCopy).First(c => corpus.Any(o => o.Story == c.Story && !o.WireCopy && string.CompareOrdinal(o.FileName, c.FileName) < 0));
        var tellings = corpus.Where(c => c.Story == copy.Story && !c.WireCopy && string.CompareOrdinal(c.FileName, copy.FileName) < 0).Select(c => c.Text).ToList();
        var unrelated = corpus.First(c => c.Story != copy.Story && !c.WireCopy);
        var filler = corpus.First(c => c.Story != copy.Story && c.Story != unrelated.Story && !c.WireCopy);
        await fixture.ImportAsync([.. corpus.Where(c => c.Story != copy.Story && c != unrelated && c != filler).Select(c => c.Text)]);
        return (tellings, copy.Text, unrelated.Text, filler.Text);
    }

    // Runs `between` once, after the batch that brings the import to `after` new items.
    internal sealed class After(int after, Action between) : IProgress<ImportReport>
    {
        private bool _done;

        public void Report(ImportReport value)
        {
            if (!_done && value.Imported == after)
            {
                _done = true;
                between();
            }
        }
    }

    // What an accepted source revision does to a stored item's title: the item is re-keyed in the
    // writer's own transaction (StoryKeyUpkeep), keeping its story.
    private static void Retitle(ApplicationFixture fixture, IReadOnlyList<string> fileNames) =>
        fixture.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            var settings = s.GetRequiredService<StoryGrouping>().Settings;
            await using var tx = await db.Database.BeginTransactionAsync();
            var items = await db.Items.Where(i => fileNames.Contains(i.FileName)).ToListAsync();
            foreach (var item in items)
            {
                var before = StoryKeyUpkeep.Inputs.Of(item);
                item.Title = $"Harbour authority publishes winter tide tables for the northern ferry piers ({item.Id})";
                item.Excerpt = "Dredging schedules and pilot boarding times are listed per pier.";
                Assert.True(await StoryKeyUpkeep.RekeyAsync((NpgsqlConnection)db.Database.GetDbConnection(), settings, item, before, CancellationToken.None));
            }
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return items.Count;
        }).GetAwaiter().GetResult();

    // The import: an unrelated item, the tellings, (with `filler`) a file of another story, then
    // the copy; the tellings are retitled after their batches. With a filler, the copy's search
    // (begun during the filler's batch) starts after the retitle committed: what it finds of the
    // tellings is the memory's. Without, it began before the retitle, during the last telling's
    // write. Either way the tellings no longer tell the copy's story (their keys and terms in the
    // table say so): the copy is not put in their story.
    public static async Task A_copy_is_not_joined_to_items_retitled_by_another_writer_during_the_import(ApplicationFixture fixture, int seed, bool filler)
    {
        var (tellings, copy, unrelated, other) = await StoryAsync(fixture, seed);
        var texts = new[] { unrelated }.Concat(tellings).Concat(filler ? [other] : []).Append(copy);
        var files = texts.Select((t, i) => ImportSources.FromBytes($"{Guid.NewGuid():N}_{i:D3}.txt", System.Text.Encoding.UTF8.GetBytes(t))).ToList();
        var tellingNames = files.Skip(1).Take(tellings.Count).Select(f => f.Path).ToList();
        var progress = new After(1 + tellings.Count, () => Retitle(fixture, tellingNames));

        var outcome = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, progress, CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal(files.Count, outcome.Value!.Imported);
        var names = files.Select(f => f.Path).ToList();
        var stored = fixture.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => (i.StoryId, i.Title)));
        Assert.All(tellingNames, n => Assert.StartsWith("Harbour authority", stored[n].Title));
        Assert.DoesNotContain(stored[files[^1].Path].StoryId, tellingNames.Select(n => stored[n].StoryId));
    }
}
