using System.Globalization;
using System.Text.RegularExpressions;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Stories;

// An item's story keys follow its time and text when a stored item changes (REVIEW5 #2): the
// candidate search reads story_window_keys, so stale rows hide the item from later tellings.
public sealed class StoryKeyUpkeepTests(ApplicationFixture fixture) : IClassFixture<ApplicationFixture>
{
    private static string Shift(string text, TimeSpan by) =>
        Regex.Replace(text, @"publishedDateTime: (\S+)", m =>
            "publishedDateTime: " + DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).Add(by).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    private static string Published(string text) => text.Contains("\npublished: false\n", StringComparison.Ordinal)
        ? text.Replace("\npublished: false\n", "\npublished: true\n", StringComparison.Ordinal)
        : throw new InvalidOperationException("the corpus writes published: false");

    // Tellings of one story (before its wire copy) and the copy, from a labelled corpus.
    private static (List<StoryCorpusGenerator.LabelledItem> Others, StoryCorpusGenerator.LabelledItem Copy) Story(int seed, string start)
    {
        var corpus = new StoryCorpusGenerator(seed).Generate(stories: 40, DateTimeOffset.Parse(start, CultureInfo.InvariantCulture), TimeSpan.FromDays(10));
        return corpus.Where(c => c.WireCopy)
            .Select(copy => (corpus.Where(c => c.Story == copy.Story && !c.WireCopy && string.CompareOrdinal(c.FileName, copy.FileName) < 0).ToList(), copy))
            .First(x => x.Item1.Count > 0);
    }

    private async Task AssertTheCopyJoinsAsync(List<long> ids, string copyText)
    {
        var keyTimes = fixture.Read(db => db.StoryWindowKeys.Where(k => ids.Contains(k.ItemId)).Select(k => new { k.ItemId, k.At }).Distinct().ToList());
        var times = fixture.Read(db => db.Items.Where(i => ids.Contains(i.Id)).ToDictionary(i => i.Id, i => i.PublishedAt));
        Assert.All(keyTimes, k => Assert.Equal(times[k.ItemId], k.At));
        var copyId = (await fixture.ImportAsync(copyText)).Single();
        var stories = fixture.Read(db => db.Items.Where(i => ids.Contains(i.Id) || i.Id == copyId).ToDictionary(i => i.Id, i => i.StoryId));
        Assert.Contains(stories[copyId], ids.Select(id => stories[id]));
    }

    [Fact]
    public async Task An_item_whose_time_an_import_update_corrected_is_found_at_its_new_time()
    {
        var (others, copy) = Story(5151, "2027-03-01T00:00:00Z");
        // First imported 60 days early; then the outlet sends the right time (untouched items follow it).
        var ids = await fixture.ImportAsync([.. others.Select(o => Shift(o.Text, TimeSpan.FromDays(-60)))]);
        Assert.Equal(ids, await fixture.ImportAsync([.. others.Select(o => o.Text)]));

        await AssertTheCopyJoinsAsync(ids, copy.Text);
    }

    [Fact]
    public async Task An_item_whose_time_an_accepted_revision_corrected_is_found_at_its_new_time()
    {
        var (others, copy) = Story(5151, "2030-03-01T00:00:00Z");
        // Published items: the corrected files wait as revisions until an editor accepts the time.
        var ids = await fixture.ImportAsync([.. others.Select(o => Published(Shift(o.Text, TimeSpan.FromDays(-60))))]);
        var files = others.Select(o => ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(Published(o.Text)))).ToList();
        var revisions = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.Equal(ids.Count, revisions.Value!.Revisions);
        foreach (var id in ids)
        {
            var outcome = await fixture.RunAsync(async s =>
            {
                var revisions = s.GetRequiredService<SourceRevisions>();
                var revision = (await revisions.CompareAsync(id, CancellationToken.None))!.RevisionId;
                var version = fixture.Read(db => db.Items.Single(i => i.Id == id).Version);
                return await revisions.AcceptAsync(Actors.Editor(), id, revision, version, ["publishedDateTime"], CancellationToken.None);
            });
            Assert.True(outcome.Succeeded, outcome.ToString());
        }

        await AssertTheCopyJoinsAsync(ids, copy.Text);
    }
}
