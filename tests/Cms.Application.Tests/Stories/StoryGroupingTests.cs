using Cms.Application.Importing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Cms.Application.Tests.Stories;

// Story grouping at import, against the labelled corpus (StoryCorpusGenerator): a fixed subset
// keeps the targets of issue 22 (pairwise precision >= 0.95, recall >= 0.90) under test; the full
// set and the threshold sweep are in `./cms bench stories`.
public sealed class StoryGroupingTests(ApplicationFixture fixture, ITestOutputHelper output) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task A_labelled_subset_is_grouped_with_the_target_precision_and_recall()
    {
        var corpus = new StoryCorpusGenerator(seed: 2201).Generate(stories: 200, DateTimeOffset.Parse("2024-03-01T00:00:00Z"), TimeSpan.FromDays(10));
        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var outcome = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal(corpus.Count, outcome.Value!.Imported);

        var names = corpus.Select(c => c.FileName).ToList();
        var predicted = fixture.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => i.StoryId));
        var truth = corpus.ToDictionary(c => c.FileName, c => c.Story);
        var score = StoryScore.Of(truth, predicted);
        var language = corpus.ToDictionary(c => c.FileName, c => c.Language);
        var cross = StoryScore.RecallWhere(truth, predicted, (a, b) => language[a] != language[b]);
        output.WriteLine($"{corpus.Count} items, {truth.Values.Distinct().Count()} stories: precision {score.Precision:F3}, recall {score.Recall:F3} ({score.Correct}/{score.TruePairs} true pairs, {score.PredictedPairs} predicted); cross-language recall {cross.Recall:F3} of {cross.Pairs}");
        Assert.True(score.Precision >= 0.95, $"precision {score.Precision:F3}");
        Assert.True(score.Recall >= 0.90, $"recall {score.Recall:F3}");
    }

    // A wire copy and the other tellings of its story, from a corpus of its own (its own dates, far
    // from the other tests' items).
    private static (List<StoryCorpusGenerator.LabelledItem> Others, StoryCorpusGenerator.LabelledItem Copy) WireCopyStory(int seed)
    {
        var corpus = new StoryCorpusGenerator(seed).Generate(stories: 40, DateTimeOffset.Parse("2025-06-01T00:00:00Z").AddDays(seed % 100 * 60), TimeSpan.FromDays(10));
        return corpus.Where(c => c.WireCopy)
            .Select(copy => (corpus.Where(c => c.Story == copy.Story && !c.WireCopy && string.CompareOrdinal(c.FileName, copy.FileName) < 0).ToList(), copy))
            .First(x => x.Item1.Count > 0);
    }

    private async Task<long> ImportCopyAfterAsync(List<StoryCorpusGenerator.LabelledItem> others, StoryCorpusGenerator.LabelledItem copy, string change)
    {
        var ids = await fixture.ImportAsync([.. others.Select(o => o.Text)]);
        await using (var conn = new NpgsqlConnection(fixture.OwnerConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"UPDATE items SET {change} WHERE id = ANY(@ids)", conn);
            cmd.Parameters.AddWithValue("ids", ids.ToArray());
            Assert.Equal(ids.Count, await cmd.ExecuteNonQueryAsync());
        }
        var copyId = (await fixture.ImportAsync(copy.Text)).Single();
        var stories = fixture.Read(db => db.Items.Where(i => ids.Contains(i.Id) || i.Id == copyId).ToDictionary(i => i.Id, i => i.StoryId));
        Assert.Contains(stories[copyId], ids.Select(id => stories[id]));
        return copyId;
    }

    [Fact]
    public async Task A_stored_item_is_compared_by_the_terms_kept_at_its_import_without_reading_its_text_again()
    {
        var (others, copy) = WireCopyStory(seed: 4242);
        // The stored text no longer says anything alike: only the kept terms and fingerprint can
        // still make the copy join its story.
        await ImportCopyAfterAsync(others, copy, "title = 'Quiet weather expected over the weekend', excerpt = 'Forecasters see no rain.'");
    }

    [Fact]
    public async Task An_item_stored_before_terms_were_kept_is_compared_by_its_text()
    {
        var (others, copy) = WireCopyStory(seed: 4343);
        await ImportCopyAfterAsync(others, copy, "story_term_ids = NULL");
    }
}
