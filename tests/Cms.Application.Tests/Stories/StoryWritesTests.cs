using Cms.Application.Importing;
using Cms.Application.Stories;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Stories;

// The import writes a batch's key rows and term counts beside the items (StoryWrites), committed
// just before them, and takes the choices its search made beside the writer (StoryGrouping).
public sealed class StoryWritesTests
{
    private const int BatchFiles = 40;

    private sealed class BatchFixture(params KeyValuePair<string, string?>[] settings) : ApplicationFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Import:BatchFiles", BatchFiles.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. settings];
    }

    [Fact]
    public async Task Choices_made_beside_the_writer_are_those_made_in_each_batchs_transaction()
    {
        // Stories told over a few days, in publication order: story mates fall into adjacent batches,
        // whose rows and counts the search beside the writer takes from memory.
        var corpus = new StoryCorpusGenerator(seed: 2525).Generate(stories: 90, DateTimeOffset.Parse("2028-07-01T00:00:00Z"), TimeSpan.FromDays(6));
        await using var ahead = new BatchFixture();
        await ahead.InitializeAsync();
        await using var inTransaction = new BatchFixture();
        await inTransaction.InitializeAsync();
        inTransaction.Services.GetRequiredService<StoryGrouping>().ChooseAhead = false;

        var chosenAhead = await ImportAsync(ahead, corpus);
        var reference = await ImportAsync(inTransaction, corpus);

        Assert.Equal(Stories(reference), Stories(chosenAhead));
        Assert.True(Stories(reference).Count < corpus.Count - 50, $"{Stories(reference).Count} stories of {corpus.Count} items");
        var batches = (corpus.Count + BatchFiles - 1) / BatchFiles;
        Assert.Equal(batches, ahead.Services.GetRequiredService<StoryGrouping>().Profile.ChosenAhead);
        Assert.Equal(0, inTransaction.Services.GetRequiredService<StoryGrouping>().Profile.ChosenAhead);
    }

    // The items' transaction refused at its commit (here by a deferred constraint), after the
    // grouping rows' own commit: those rows are taken back, and the batch's halves written again.
    [Fact]
    public async Task A_batch_refused_at_its_commit_leaves_no_key_rows_or_term_counts_of_its_items()
    {
        var corpus = new StoryCorpusGenerator(seed: 2626).Generate(stories: 20, DateTimeOffset.Parse("2028-11-01T00:00:00Z"), TimeSpan.FromDays(4));
        await using var app = new BatchFixture();
        await app.InitializeAsync();
        var refused = corpus[corpus.Count / 2];
        await app.OwnerAsync($$"""
            CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.file_name = '{{refused.FileName}}' THEN
                RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514';
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER refuse_marked AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_marked();
            """);

        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal(corpus.Count - 1, outcome.Value!.Imported);
        Assert.Contains(outcome.Value.Problems, p => p.Path == refused.FileName && p.Reason.Contains("refused at commit", StringComparison.Ordinal));
        // Every key row is a stored item's, each item has all its rows, and the items' count is the items'.
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM story_window_keys w WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = w.item_id)"));
        Assert.Equal(await app.OwnerAsync("SELECT sum(cardinality(story_keys))::bigint FROM items"), await app.OwnerAsync("SELECT count(*) FROM story_window_keys"));
        Assert.Equal(await app.OwnerAsync("SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL"), await app.OwnerAsync("SELECT items FROM story_term_counts WHERE term = 0"));
    }

    // What a crash between the two commits leaves: key rows (and counts) of items that never
    // committed. A later import's search finds them and skips them (candidates are read by id):
    // the copy of a story still joins the telling that is stored.
    [Fact]
    public async Task Key_rows_of_items_that_never_committed_are_skipped_by_a_later_search()
    {
        var corpus = new StoryCorpusGenerator(seed: 2727).Generate(stories: 30, DateTimeOffset.Parse("2029-03-01T00:00:00Z"), TimeSpan.FromDays(5));
        var copy = corpus.First(c => c.WireCopy && corpus.Any(o => o.Story == c.Story && !o.WireCopy));
        var telling = corpus.First(c => c.Story == copy.Story && !c.WireCopy);
        await using var app = new BatchFixture();
        await app.InitializeAsync();
        await ImportAsync(app, [.. corpus.Where(c => c.Story != copy.Story), telling]);
        var tellingId = app.Read(db => db.Items.Single(i => i.FileName == telling.FileName).Id);
        // The telling's rows again under ids no item has, as a batch that never committed leaves them.
        var orphans = await app.OwnerAsync("""
            WITH o AS (INSERT INTO story_window_keys (key, at, item_id)
              SELECT key, at, item_id + g * 1000000000::bigint FROM story_window_keys, generate_series(1, 20) g WHERE item_id = $1 RETURNING 1)
            SELECT count(*) FROM o
            """, tellingId);
        Assert.True((long)orphans! >= 20, $"{orphans} orphan rows");

        var stored = await ImportAsync(app, [copy]);

        Assert.Equal(app.Read(db => db.Items.Single(i => i.Id == tellingId).StoryId), stored[copy.FileName]);
    }

    private static async Task<Dictionary<string, long>> ImportAsync(ApplicationFixture app, List<StoryCorpusGenerator.LabelledItem> corpus)
    {
        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Equal(corpus.Count, outcome.Value!.Imported);
        var names = corpus.Select(c => c.FileName).ToList();
        return app.Read(db => db.Items.Where(i => names.Contains(i.FileName)).ToDictionary(i => i.FileName, i => i.StoryId));
    }

    // A grouping as a set of stories, each the sorted names of its files (story ids differ between databases).
    private static List<string> Stories(Dictionary<string, long> grouping) =>
        grouping.GroupBy(e => e.Value).Select(g => string.Join(' ', g.Select(e => e.Key).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal).ToList();

    // REVIEW12 R12-3: an import cancelled while its items' commit runs (Ctrl-C of `./cms import`,
    // an aborted upload) lets that commit finish: the items stored with their key rows and counts,
    // never key rows and counts of items that were not stored.
    [Fact]
    public async Task An_import_cancelled_during_its_items_commit_leaves_no_key_rows_or_term_counts_of_items_not_stored()
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
                PERFORM pg_sleep(3);
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
            """);

        using var cancel = new CancellationTokenSource();
        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var importing = app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, cancel.Token));
        // Cancelled once the items' COMMIT is under way (the key rows committed before it).
        await using (var watch = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await watch.OpenAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                await using var cmd = new Npgsql.NpgsqlCommand(
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
        try
        {
            await importing;
        }
        catch (OperationCanceledException)
        {
            // Cancelled after the commit: the rest of the import is what the cancellation stops.
        }

        Assert.Equal(1L, app.Read(db => db.Items.LongCount(i => i.FileName == slow.FileName)));
        // Every key row is a stored item's, and the items' count is the items'.
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM story_window_keys w WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = w.item_id)"));
        Assert.Equal(await app.OwnerAsync("SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL"),
            await app.OwnerAsync("SELECT coalesce((SELECT items FROM story_term_counts WHERE term = 0), 0)"));
    }
    private sealed class RelayedFixture(ConnectionRelay relay) : ApplicationFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("ConnectionStrings:Cms", new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Port = relay.Port, Host = "127.0.0.1" }.ConnectionString)];
    }

    // Imports `files` through a relay whose client side of the writer's connection is cut once the
    // items' COMMIT is under way on the server (a deferred trigger sleeps `seconds` for `slow`):
    // the import fails; the server goes on with the COMMIT it received. Returns once it has ended.
    private static async Task ImportLosingTheCommitReplyAsync(RelayedFixture app, ConnectionRelay relay, List<ImportFile> files, string slow, int seconds)
    {
        await app.OwnerAsync($$"""
            CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.file_name = '{{slow}}' THEN
                PERFORM pg_sleep({{seconds}});
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
            """);
        var importing = Task.Run(() => app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None)));
        await using var watch = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await watch.OpenAsync();
        const string Sleeping = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var cmd = new Npgsql.NpgsqlCommand($"SELECT client_port {Sleeping}", watch);
            if (await cmd.ExecuteScalarAsync() is int port)
            {
                Assert.True(relay.CutClientOf(port), "the sleeping backend's connection is not the relay's");
                break;
            }
            Assert.False(importing.IsCompleted, "the import finished without reaching the slow commit");
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the commit never began");
            await Task.Delay(20);
        }
        await Assert.ThrowsAnyAsync<Exception>(() => importing);
        while ((long)(await new Npgsql.NpgsqlCommand($"SELECT count(*) {Sleeping}", watch).ExecuteScalarAsync())! > 0)
        {
            await Task.Delay(50);
        }
        await Task.Delay(500);
    }

    // Every key row is a stored item's, each stored item has all its rows, and the items' count is the items'.
    private static async Task AssertKeyRowsAndCountsAreTheStoredItemsAsync(ApplicationFixture app)
    {
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM story_window_keys w WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = w.item_id)"));
        Assert.Equal(await app.OwnerAsync("SELECT coalesce(sum(cardinality(story_keys)), 0)::bigint FROM items"), await app.OwnerAsync("SELECT count(*) FROM story_window_keys"));
        Assert.Equal(await app.OwnerAsync("SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL"),
            await app.OwnerAsync("SELECT coalesce((SELECT items FROM story_term_counts WHERE term = 0), 0)"));
    }

    private static List<ImportFile> Files(List<StoryCorpusGenerator.LabelledItem> corpus) =>
        corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();

    // REVIEW13 R13-1: the writer's connection lost while the server still runs the items' COMMIT
    // (a deferred constraint, a synchronous standby, a slow WAL flush). The undo asks the server
    // how the items' transaction ended, waiting for it to end, and keeps the key rows and counts of
    // items that are stored; also for a batch with term counts and no key rows (titles of stop
    // words only), whose ids gave the undo nothing to look for.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Items_whose_commit_completes_after_the_writers_connection_is_lost_keep_their_key_rows_and_term_counts(bool withoutKeyRows)
    {
        var files = withoutKeyRows
            ? Enumerable.Range(0, 10).Select(i => ImportSources.FromBytes($"stop-words-{i}.txt", System.Text.Encoding.UTF8.GetBytes(new TestItem { Title = "A b of the" }.ToYaml()))).ToList()
            : Files(new StoryCorpusGenerator(seed: 3131).Generate(stories: 10, DateTimeOffset.Parse("2029-05-01T00:00:00Z"), TimeSpan.FromDays(3)));
        var slow = files[files.Count / 2].Path;
        var target = new Npgsql.NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("CMS_TEST_PG")).Port;
        await using var relay = new ConnectionRelay(target);
        await using var app = new RelayedFixture(relay);
        await app.InitializeAsync();

        await ImportLosingTheCommitReplyAsync(app, relay, files, slow, seconds: 3);

        Assert.Equal(1L, app.Read(db => db.Items.LongCount(i => i.FileName == slow)));
        Assert.Equal(withoutKeyRows ? 0L : 1L, Math.Sign((long)(await app.OwnerAsync("SELECT count(*) FROM story_window_keys"))!));
        await AssertKeyRowsAndCountsAreTheStoredItemsAsync(app);
    }

    // R13-1: a lost COMMIT still running after the undo's wait (StoryWrites.OutcomeWait) has its
    // backend ended: the items' transaction aborts there, and its key rows and counts are taken back.
    [Fact]
    public async Task Items_whose_lost_commit_outlasts_the_wait_are_not_stored_nor_their_key_rows_and_term_counts()
    {
        var files = Files(new StoryCorpusGenerator(seed: 3232).Generate(stories: 10, DateTimeOffset.Parse("2029-06-01T00:00:00Z"), TimeSpan.FromDays(3)));
        var slow = files[files.Count / 2].Path;
        var target = new Npgsql.NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("CMS_TEST_PG")).Port;
        await using var relay = new ConnectionRelay(target);
        await using var app = new RelayedFixture(relay);
        await app.InitializeAsync();
        var wait = StoryWrites.OutcomeWait;
        StoryWrites.OutcomeWait = TimeSpan.FromSeconds(1);
        try
        {
            await ImportLosingTheCommitReplyAsync(app, relay, files, slow, seconds: 120);
        }
        finally
        {
            StoryWrites.OutcomeWait = wait;
        }

        Assert.Equal(0L, app.Read(db => db.Items.LongCount()));
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM story_window_keys"));
        await AssertKeyRowsAndCountsAreTheStoredItemsAsync(app);
    }
}
