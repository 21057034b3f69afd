using System.Net;
using System.Net.Sockets;
using Cms.Application.Importing;
using Cms.Application.Tests.Stories;
using Cms.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// REVIEW13 evidence (no fix): UndoUnlessStoredAsync decides whether the items' commit happened by
// looking for the items from another connection right after the writer's connection failed. A
// COMMIT the server has received but not finished (a deferred constraint, a synchronous standby,
// a slow WAL flush) is not visible yet: the key rows and term counts are taken back, then the
// items' commit completes, and stored items are left without their keys and counts for good.
public sealed class Review13UndoTests
{
    // A TCP relay to the shared cluster whose client side of one connection can be cut while the
    // server side stays open (the connection lost between Npgsql and the server).
    private sealed class Relay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly int _targetPort;

        public Relay(int targetPort)
        {
            _targetPort = targetPort;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _targetPort);
                lock (_pairs)
                {
                    _pairs.Add((client, server));
                }
                _ = PumpAsync(client.GetStream(), server.GetStream());
                _ = PumpAsync(server.GetStream(), client.GetStream());
            }
        }

        private static async Task PumpAsync(NetworkStream from, NetworkStream to)
        {
            var buffer = new byte[16384];
            try
            {
                while (true)
                {
                    var n = await from.ReadAsync(buffer);
                    if (n == 0)
                    {
                        return;
                    }
                    await to.WriteAsync(buffer.AsMemory(0, n));
                }
            }
            catch (Exception)
            {
                // One side gone: the other is left as it is.
            }
        }

        // Cuts the client side of the connection whose server-facing local port is `port`.
        public bool CutClientOf(int port)
        {
            lock (_pairs)
            {
                foreach (var (client, server) in _pairs)
                {
                    if (((IPEndPoint)server.Client.LocalEndPoint!).Port == port)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return true;
                    }
                }
            }
            return false;
        }

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_pairs)
            {
                foreach (var (client, server) in _pairs)
                {
                    client.Dispose();
                    server.Dispose();
                }
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RelayedFixture(Relay relay) : ApplicationFixture
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("ConnectionStrings:Cms", new NpgsqlConnectionStringBuilder(ConnectionString) { Port = relay.Port, Host = "127.0.0.1" }.ConnectionString)];
    }

    [Fact]
    public async Task Items_whose_commit_completes_after_the_writers_connection_is_lost_keep_their_key_rows_and_term_counts()
    {
        var corpus = new StoryCorpusGenerator(seed: 3131).Generate(stories: 10, DateTimeOffset.Parse("2029-05-01T00:00:00Z"), TimeSpan.FromDays(3));
        var target = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("CMS_TEST_PG")).Port;
        await using var relay = new Relay(target);
        await using var app = new RelayedFixture(relay);
        await app.InitializeAsync();
        // A commit that takes a moment on the server (as a deferred constraint or a synchronous standby makes it).
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

        var files = corpus.Select(c => ImportSources.FromBytes(c.FileName, System.Text.Encoding.UTF8.GetBytes(c.Text))).ToList();
        var importing = Task.Run(() => app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None)));
        // Once the items' COMMIT is under way on the server, the writer's connection is lost.
        await using (var watch = new NpgsqlConnection(app.ConnectionString))
        {
            await watch.OpenAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                await using var cmd = new NpgsqlCommand(
                    "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'", watch);
                var seen = await cmd.ExecuteScalarAsync();
                if (seen is not null)
                {
                    Assert.True(seen is int, $"client_port {seen} ({seen.GetType().Name})");
                    var port = (int)seen;
                    Assert.True(relay.CutClientOf(port), "the sleeping backend's connection is not the relay's");
                    break;
                }
                if (importing.IsCompleted)
                {
                    var done = await importing;
                    var triggers = await app.OwnerAsync("SELECT count(*) FROM pg_trigger WHERE tgname = 'slow_commit'");
                    var named = await app.OwnerAsync("SELECT count(*) FROM items WHERE file_name = $1", slow.FileName);
                    Assert.Fail($"triggers {triggers} named {named} file {slow.FileName}; the import finished without reaching the slow commit: {done.Result} {done.Value?.Imported} {string.Join("; ", done.Value?.Problems.Select(p => p.ToString()) ?? [])}");
                }
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "the commit never began");
                await Task.Delay(20);
            }
            await Assert.ThrowsAnyAsync<Exception>(() => importing);
            // The server finishes the commit it received.
            while ((long)(await new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'", watch).ExecuteScalarAsync())! > 0)
            {
                await Task.Delay(50);
            }
        }
        await Task.Delay(500);

        Assert.Equal(1L, app.Read(db => db.Items.LongCount(i => i.FileName == slow.FileName)));
        // Every stored item with terms has its key rows, and the items' count is the items'.
        Assert.Equal(0L, await app.OwnerAsync("SELECT count(*) FROM items i WHERE i.story_term_ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM story_window_keys w WHERE w.item_id = i.id)"));
        Assert.Equal(await app.OwnerAsync("SELECT count(*) FROM items WHERE story_term_ids IS NOT NULL"),
            await app.OwnerAsync("SELECT coalesce((SELECT items FROM story_term_counts WHERE term = 0), 0)"));
    }
}
