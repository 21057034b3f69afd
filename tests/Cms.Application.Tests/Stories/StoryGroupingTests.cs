using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Core.Stories;
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

    // The candidate read decodes story_term_ids from its binary form itself (StoryGrouping.PackedTerms):
    // the same ids as Npgsql's int[] for any one-dimensional array, nothing for a value that is not one.
    [Fact]
    public async Task Kept_term_ids_are_decoded_from_their_binary_form_as_Npgsql_reads_them()
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT a FROM (VALUES (1, '{3,1,2,-5,2147483647,-2147483648}'::int[]), (2, '{}'::int[]), (3, '[0:1]={7,8}'::int[]),
              (4, (SELECT array_agg(g) FROM generate_series(-300, 1000) g)), (5, '{1,NULL,2}'::int[]), (6, '{{1,2},{3,4}}'::int[])) v(n, a) ORDER BY n
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var packed = new StoryGrouping.PackedTerms();
        var decoded = new List<int[]>();
        while (await reader.ReadAsync())
        {
            decoded.Add(packed.Read(reader, 0).ToArray());
        }
        Assert.Equal([3, 1, 2, -5, int.MaxValue, int.MinValue], decoded[0]);
        Assert.Empty(decoded[1]);
        Assert.Equal([7, 8], decoded[2]);
        Assert.Equal(Enumerable.Range(-300, 1301), decoded[3]);
        // Not a packing: the caller then analyses the item's text.
        Assert.Empty(decoded[4]);
        Assert.Empty(decoded[5]);
    }

    // The candidate lookups read each key's rows as two arrays (times, item ids), decoded by hand.
    [Fact]
    public async Task Key_rows_times_and_ids_are_decoded_from_their_binary_form_as_Npgsql_reads_them()
    {
        await using var conn = new NpgsqlConnection(fixture.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT t, i FROM (VALUES
              (1, ARRAY['2026-12-07T00:50:00.123456Z', '1999-12-31T23:59:59.999999Z', '2000-01-01T00:00:00Z', '0001-01-01T00:00:00Z']::timestamptz[],
                  '{9223372036854775807,-9223372036854775808,0,42}'::bigint[]),
              (2, (SELECT array_agg(timestamptz '2024-03-01T00:00:00Z' + g * interval '1 minute') FROM generate_series(0, 1300) g),
                  (SELECT array_agg(g::bigint) FROM generate_series(0, 1300) g)),
              (3, '{}'::timestamptz[], '{}'::bigint[]),
              (4, ARRAY['2024-03-01T00:00:00Z', NULL]::timestamptz[], '{1,NULL}'::bigint[]),
              (5, '{{2024-03-01T00:00:00Z},{2024-03-02T00:00:00Z}}'::timestamptz[], '{{1,2},{3,4}}'::bigint[])) v(n, t, i) ORDER BY n
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var (times, ids) = (StoryGrouping.Timestamps(), StoryGrouping.Int8s());
        var epoch = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var rows = 0;
        while (await reader.ReadAsync())
        {
            var decodedTimes = times.Read(reader, 0).ToArray().Select(us => epoch.AddTicks(us * 10)).ToArray();
            var decodedIds = ids.Read(reader, 1).ToArray();
            if (++rows <= 2)
            {
                Assert.Equal(reader.GetFieldValue<DateTimeOffset[]>(0), decodedTimes);
                Assert.Equal(reader.GetFieldValue<long[]>(1), decodedIds);
                Assert.NotEmpty(decodedIds);
            }
            else
            {
                // Empty, with a null, or of two dimensions: not decoded (the caller then reads them as Npgsql does).
                Assert.Empty(decodedTimes);
                Assert.Empty(decodedIds);
            }
        }
        Assert.Equal(5, rows);
    }

    [Fact]
    public async Task An_item_stored_before_terms_were_kept_is_compared_by_its_text()
    {
        var (others, copy) = WireCopyStory(seed: 4343);
        await ImportCopyAfterAsync(others, copy, "story_term_ids = NULL");
    }

    private long SearchedAhead => fixture.Services.GetRequiredService<StoryGrouping>().Profile.SearchedAhead;

    // The candidate search of a fresh batch runs beside the writer, on a connection of its own
    // (StoryGrouping.SearchAhead), and its result is taken when it is the transaction's.
    [Fact]
    public async Task A_fresh_batch_is_searched_beside_the_writer_and_its_copy_joins_its_story()
    {
        var (others, copy) = WireCopyStory(seed: 4646);
        var before = SearchedAhead;
        await ImportCopyAfterAsync(others, copy, "story_term_ids = story_term_ids");
        // The tellings' import and the copy's: each one fresh batch.
        Assert.Equal(before + 2, SearchedAhead);
    }

    // A batch holding a file already stored inserts fewer items than it searched ahead for: the
    // search is made again in the writer's transaction for the items it does insert.
    [Fact]
    public async Task A_batch_holding_a_stored_file_is_searched_in_the_transaction_and_its_copy_joins_its_story()
    {
        var (others, copy) = WireCopyStory(seed: 4747);
        var ids = await fixture.ImportAsync([.. others.Select(o => o.Text)]);
        var before = SearchedAhead;
        var files = new[] { ("again.txt", others[0].Text), ("copy.txt", copy.Text) }
            .Select(f => ImportSources.FromBytes($"{Guid.NewGuid():N}_{f.Item1}", System.Text.Encoding.UTF8.GetBytes(f.Item2))).ToList();
        var outcome = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal((1, 1), (outcome.Value!.Imported, outcome.Value.Unchanged));
        Assert.Equal(before, SearchedAhead);
        var copyName = files[1].Path;
        var stories = fixture.Read(db => db.Items.Where(i => ids.Contains(i.Id) || i.FileName == copyName).ToDictionary(i => i.FileName, i => i.StoryId));
        Assert.Contains(stories[copyName], stories.Where(e => e.Key != copyName).Select(e => e.Value));
    }

    // The candidate search reads only the window (story_window_keys: key, then time), not every
    // item stored under a key's time bucket (the GIN search before did, and those items then took
    // the places of the shortlist, MaxCandidates, and were dropped only at scoring).
    [Fact]
    public async Task Copies_outside_the_window_never_take_the_place_of_a_telling_inside_it()
    {
        var window = new StorySettings().Window;
        // Enough items that the story's terms stay rare (StorySettings.KeyMaxShare) with the copies.
        var corpus = new StoryCorpusGenerator(seed: 5151).Generate(stories: 150, DateTimeOffset.Parse("2027-03-01T00:00:00Z"), TimeSpan.FromDays(10));
        var copy = corpus.First(c => c.WireCopy);
        var others = corpus.Where(c => c.Story == copy.Story && !c.WireCopy).Select(c => c.FileName).ToHashSet();
        // A time in a bucket the copy's search reads, farther from it than the window.
        var at = Published(copy.Text);
        var early = DateTimeOffset.FromUnixTimeSeconds((long)(StoryKeys.Bucket(at - window) * StoryKeys.BucketWidth.TotalSeconds));
        var late = DateTimeOffset.FromUnixTimeSeconds((long)((StoryKeys.Bucket(at + window) + 1) * StoryKeys.BucketWidth.TotalSeconds) - 60);
        var decoyAt = at - early > window + TimeSpan.FromHours(1) ? early : late;
        Assert.True((decoyAt - at).Duration() > window + TimeSpan.FromHours(1), "no room in the searched buckets outside the window");
        Assert.Contains(StoryKeys.Bucket(decoyAt), StoryKeys.Buckets(at, window));
        // Copies of its own text (all its keys and fingerprint bands) from outside the window, each
        // under its own URL: the GIN search ranked them first and the story's tellings were cut.
        var decoys = Enumerable.Range(0, StoryGrouping.MaxCandidates).Select(n => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(copy.Text, "(?m)^publishedDateTime: .*$", $"publishedDateTime: {decoyAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}"),
            "(?m)^(originalUrl|webUrl): \"([^\"]*)\"", $"$1: \"$2-decoy{n}\"")).ToArray();

        var files = corpus.Where(c => c != copy).Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var outcome = await fixture.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        var decoyIds = await fixture.ImportAsync(decoys);
        var copyId = (await fixture.ImportAsync(copy.Text)).Single();

        var tellings = fixture.Read(db => db.Items.Where(i => others.Contains(i.FileName)).Select(i => i.StoryId).ToList());
        var stories = fixture.Read(db => db.Items.Where(i => i.Id == copyId || decoyIds.Contains(i.Id)).ToDictionary(i => i.Id, i => i.StoryId));
        Assert.NotEmpty(tellings);
        Assert.Contains(stories[copyId], tellings);
        Assert.DoesNotContain(stories[copyId], decoyIds.Select(d => stories[d]));
    }

    private static DateTimeOffset Published(string text) =>
        DateTimeOffset.Parse(System.Text.RegularExpressions.Regex.Match(text, "(?m)^publishedDateTime: (.*)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
