using Cms.Application.Importing;
using Cms.Application.Stories;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Stories;

// The import's write stage begins grouping's search of the next batch during the current batch's
// write (StoryGrouping.SearchAhead with the batch just assigned, compared in memory until it
// commits). It must choose exactly what the search in each batch's own transaction chooses.
public sealed class StoryGroupingAheadTests(ApplicationFixture fixture) : IClassFixture<ApplicationFixture>
{
    private const int BatchFiles = 40;

    [Fact]
    public async Task Batches_searched_during_the_previous_batchs_write_form_the_same_stories_as_batches_searched_alone()
    {
        // Stories told over a few days, in publication order: story mates fall into adjacent batches.
        var corpus = new StoryCorpusGenerator(seed: 2323).Generate(stories: 90, DateTimeOffset.Parse("2028-05-01T00:00:00Z"), TimeSpan.FromDays(6));
        await using var alone = new ApplicationFixture();
        await alone.InitializeAsync();

        var pipelined = await WriteInBatchesAsync(fixture, corpus, knowsNext: true);
        var reference = await WriteInBatchesAsync(alone, corpus, knowsNext: false);

        Assert.Equal(Stories(reference), Stories(pipelined));
        var batches = (corpus.Count + BatchFiles - 1) / BatchFiles;
        Assert.Equal(batches - 1, fixture.Services.GetRequiredService<StoryGrouping>().Profile.SearchedDuringPrevious);
        Assert.Equal(0, alone.Services.GetRequiredService<StoryGrouping>().Profile.SearchedDuringPrevious);
        // Story mates in different batches were found (the in-memory comparison matters).
        var truth = corpus.ToDictionary(c => c.FileName, c => c.Story);
        var batchOf = corpus.Select((c, i) => (c.FileName, i / BatchFiles)).ToDictionary(x => x.FileName, x => x.Item2);
        var across = StoryScore.RecallWhere(truth, pipelined, (a, b) => batchOf[a] != batchOf[b]);
        Assert.True(across.Pairs > 20, $"{across.Pairs} pairs across batches");
        Assert.True(across.Recall >= 0.75, $"recall across batches {across.Recall:F3} of {across.Pairs}");
    }

    // Parses the corpus, then writes it BatchFiles files at a time through one writer, telling it
    // the next batch (or not).
    private static async Task<Dictionary<string, long>> WriteInBatchesAsync(ApplicationFixture app, List<StoryCorpusGenerator.LabelledItem> corpus, bool knowsNext)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var parser = scope.ServiceProvider.GetRequiredService<ImportParser>();
        var writer = scope.ServiceProvider.GetRequiredService<ImportWriter>();
        var stories = scope.ServiceProvider.GetRequiredService<StoryGrouping>();
        var prepared = new List<PreparedItem>();
        using (var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).GetEnumerator())
        {
            while (await parser.NextBatchAsync(files, CancellationToken.None) is { Length: > 0 } parsed)
            {
                Assert.All(parsed, p => Assert.Null(p.Problem));
                prepared.AddRange(parsed.Select(p => p.Item!));
            }
        }
        stories.Prepare(prepared);
        var batches = prepared.Chunk(BatchFiles).Select(b => (IReadOnlyList<PreparedItem>)b.ToList()).ToList();
        var report = scope.ServiceProvider.GetRequiredService<ItemImporter>().NewReport();
        for (var b = 0; b < batches.Count; b++)
        {
            await writer.WriteAsync(batches[b], Actors.Pipeline, report, CancellationToken.None, knowsNext && b + 1 < batches.Count ? batches[b + 1] : null);
        }
        Assert.Equal(corpus.Count, report.Imported);
        var names = corpus.Select(c => c.FileName).ToList();
        return app.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => i.StoryId));
    }

    // A grouping as a set of stories, each the sorted names of its files (story ids differ between databases).
    private static List<string> Stories(Dictionary<string, long> grouping) =>
        grouping.GroupBy(e => e.Value).Select(g => string.Join(' ', g.Select(e => e.Key).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal).ToList();
}
