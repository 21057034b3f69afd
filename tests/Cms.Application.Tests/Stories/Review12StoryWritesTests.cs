using Cms.Application.Importing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests.Stories;

// REVIEW12 evidence (failing test, not a fix): StoryWrites commits a batch's key rows and term
// counts just before the items, and ImportWriter takes them back (UndoAsync) only when the items'
// commit fails with a PostgresException. An import cancelled while its items' commit runs (Ctrl-C
// of `./cms import`, an aborted upload) gets an OperationCanceledException instead: the items are
// not committed, their key rows and counts stay, and importing the files again counts them twice.
public sealed class Review12StoryWritesTests
{
    [Fact]
    public async Task An_import_cancelled_during_its_items_commit_leaves_no_key_rows_or_term_counts_of_its_items()
    {
        var corpus = new StoryCorpusGenerator(seed: 3131).Generate(stories: 10, DateTimeOffset.Parse("2029-05-01T00:00:00Z"), TimeSpan.FromDays(3));
        await using var app = new ApplicationFixture();
        await app.InitializeAsync();
        // A commit that takes a moment (as a deferred constraint, or a synchronous standby, makes it).
        var slow = corpus[corpus.Count / 2];
        await app.OwnerAsync($$"""
            CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.file_name = '{{slow.FileName}}' THEN
                PERFORM pg_sleep(10);
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
            """);

        using var cancel = new CancellationTokenSource();
        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var importing = app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, cancel.Token));
        // Cancelled once the items' COMMIT is under way (the key rows committed before it).
        await using (var watch = new NpgsqlConnection(app.ConnectionString))
        {
            await watch.OpenAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                await using var cmd = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'", watch);
                if ((long)(await cmd.ExecuteScalarAsync())! > 0)
                {
                    break;
                }
                Assert.False(importing.IsCompleted, "the import finished without reaching the slow commit");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the commit never began");
                await Task.Delay(20);
            }
        }
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => importing);

        Assert.Equal(0L, app.Read(db => db.Items.LongCount(i => i.FileName == slow.FileName)));
        // Every key row is a stored item's, and the items' count is the items'.
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM story_window_keys w WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = w.item_id)"));
        Assert.Equal(await app.OwnerAsync("SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL"),
            await app.OwnerAsync("SELECT coalesce((SELECT items FROM story_term_counts WHERE term = 0), 0)"));
    }
}
