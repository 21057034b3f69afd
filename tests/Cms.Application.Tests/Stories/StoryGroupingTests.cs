using Cms.Application.Importing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
}
