using Cms.Application.Importing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// A batch sends the import lock and its dedupe read in one NpgsqlBatch (IMPORT14). The read runs
// after the lock is granted, in its own snapshot, so an import that waited on another sees that
// one's items once it committed (REVIEW14 checked it fails with the lock statement removed).
public sealed class ImportLockTests
{
    [Fact]
    public async Task An_import_waiting_on_the_lock_sees_the_item_the_import_before_it_committed_and_stores_it_once()
    {
        await using var app = new ApplicationFixture();
        await app.InitializeAsync();
        var item = new TestItem();
        await app.OwnerAsync("""
            CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.file_name = 'first.txt' THEN
                PERFORM pg_sleep(2);
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
            """);
        ImportFile File(string name) => ImportSources.FromBytes(name, System.Text.Encoding.UTF8.GetBytes(item.ToYaml()));

        var first = Task.Run(() => app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, [File("first.txt")], null, CancellationToken.None)));
        await using (var watch = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await watch.OpenAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while ((long)(await new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'", watch).ExecuteScalarAsync())! == 0)
            {
                Assert.False(first.IsCompleted, "the first import finished before its slow commit");
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1));
                await Task.Delay(20);
            }
        }
        // The first holds the lock through its slow COMMIT; the second waits on it, then reads.
        var second = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, [File("second.txt")], null, CancellationToken.None));
        var firstReport = await first;

        Assert.Equal(1, firstReport.Value!.Imported);
        Assert.Empty(second.Value!.Problems);
        Assert.Equal((0, 1), (second.Value.Imported, second.Value.Unchanged));
        Assert.Equal(1, app.Read(db => db.Items.Count(i => i.OriginalUrl == item.OriginalUrl)));
    }
}
