using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cms.Application.Live;
using Cms.Core.Security;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench live --connections N: the app in its own process, N signed-in browsers (each its own
// session) holding an item page's live stream open, against a memory budget. Reports the app's
// resident memory before and with the streams open (and its peak), the cost per stream, how long
// one signal takes to reach every stream, and the load average of the shared machine.
public static class LiveBench
{
    private const string Database = "cms_bench_live";

    public static Command Command()
    {
        var connections = new Option<int>("--connections") { Description = "Live streams to hold open", DefaultValueFactory = _ => 200 };
        var budget = new Option<double>("--budget-kib") { Description = "Budget per open stream, KiB of the app's resident memory", DefaultValueFactory = _ => 128 };
        var command = new Command("live", "Hold N live (SSE) streams open on one instance and measure its memory against a budget.") { connections, budget };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(connections), parse.GetValue(budget), ct));
        return command;
    }

    private static async Task<int> RunAsync(int n, double budgetKiB, CancellationToken ct)
    {
        var server = BenchSupport.ServerConnectionString();
        var cs = await BenchSupport.CreateDatabaseAsync(server, Database, ct);
        try
        {
            var item = new TestItem();
            await CliHost.RunAsync(async s =>
            {
                await s.GetRequiredService<Cms.Application.Importing.ItemImporter>().ImportAsync(Cms.Application.Actor.System("bench"),
                    [Cms.Application.Importing.ImportSources.FromBytes("live.txt", System.Text.Encoding.UTF8.GetBytes(item.ToYaml()))], null, ct);
                return 0;
            }, cs);
            long itemId;
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var q = new NpgsqlCommand("SELECT id FROM items LIMIT 1", conn);
                itemId = (long)(await q.ExecuteScalarAsync(ct))!;
            }
            await using var app = await AppProcess.StartAsync(cs,
                ["--Logging:LogLevel:Default=Warning", "--RateLimit:LoginPerMinute=1000000", "--RateLimit:LoginPerAccountPerMinute=1000000",
                    // Every stream is one account's (one session each): above the per-person limit
                    // (Live:MaxStreamsPerUser) the app answered 429 and the bench died.
                    $"--Live:MaxStreamsPerUser={Math.Max(n, new LiveOptions().MaxStreamsPerUser)}"], ct);
            string password;
            using (var host = CliHost.Build(cs))
            {
                password = await QueueBench.AccountAsync(host.Services, "live-bench@cms.local", Roles.Editor, ct);
            }

            // Every browser signs in for a session of its own, then warms the page once.
            var browsers = new List<HttpClient>();
            for (var i = 0; i < n; i++)
            {
                var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
                {
                    BaseAddress = app.Address,
                    Timeout = Timeout.InfiniteTimeSpan,
                };
                await QueueBench.SignInAsync(http, "live-bench@cms.local", password, ct);
                browsers.Add(http);
            }
            await using (var warm = await Stream.OpenAsync(browsers[0], itemId, ct))
            {
                await warm.WaitAsync("hello", ct);
            }
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            var before = CurrentRssMiB(app.Id);
            app.ResetPeakRss();

            var open = Stopwatch.StartNew();
            var streams = new List<Stream>();
            foreach (var http in browsers)
            {
                streams.Add(await Stream.OpenAsync(http, itemId, ct));
            }
            foreach (var s in streams)
            {
                await s.WaitAsync("hello", ct);
            }
            open.Stop();
            // Let the presence signals of N joins settle, then one signal to all N streams.
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            var fanout = Stopwatch.StartNew();
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var notify = new NpgsqlCommand($"SELECT pg_notify('cms_live', 'c:{itemId}:424242')", conn);
                await notify.ExecuteNonQueryAsync(ct);
            }
            foreach (var s in streams)
            {
                await s.WaitAsync("comment", ct);
            }
            fanout.Stop();
            // Hold them through a few heartbeats (presence refresh, session checks, pings).
            await Task.Delay(TimeSpan.FromSeconds(12), ct);
            var with = CurrentRssMiB(app.Id);
            var peak = app.PeakRssMiB();
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];

            var perStreamKiB = (with - before) * 1024 / n;
            var perStreamPeakKiB = (peak - before) * 1024 / n;
            Console.WriteLine($"live streams:        {n} open on one instance, each its own session, all on one item page");
            Console.WriteLine($"opened in:           {open.Elapsed.TotalSeconds:0.0} s (sign-ins before that)");
            Console.WriteLine($"one signal to all:   {fanout.Elapsed.TotalMilliseconds:0} ms (NOTIFY to the last stream's event)");
            Console.WriteLine($"app RSS before:      {before:0.0} MiB (warmed, no stream open)");
            Console.WriteLine($"app RSS with {n}:    {with:0.0} MiB  (+{with - before:0.0} MiB, {perStreamKiB:0.0} KiB per stream)");
            Console.WriteLine($"app peak RSS:        {peak:0.0} MiB  ({perStreamPeakKiB:0.0} KiB per stream over 'before')");
            Console.WriteLine($"load average:        {string.Join(" ", load)} (1, 5, 15 min; 2 cores shared)");
            var within = perStreamPeakKiB <= budgetKiB;
            Console.WriteLine($"budget:              {budgetKiB:0} KiB per stream at the peak: {(within ? "within" : "OVER")}");
            foreach (var s in streams)
            {
                await s.DisposeAsync();
            }
            return within ? BenchProgram.Ok : 1;
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, Database, CancellationToken.None);
        }
    }

    private static double CurrentRssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return double.NaN;
    }

    // One browser's stream: events read in the background, waited for by type.
    private sealed class Stream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly System.Threading.Channels.Channel<string> _types = System.Threading.Channels.Channel.CreateUnbounded<string>();
        private readonly Task _reader;
        private readonly CancellationTokenSource _stop;

        private Stream(HttpResponseMessage response, CancellationToken outer)
        {
            _response = response;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
            var ct = _stop.Token;
            _reader = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                    while (await reader.ReadLineAsync(ct) is { } line)
                    {
                        if (line.StartsWith("event:", StringComparison.Ordinal))
                        {
                            _types.Writer.TryWrite(line[6..].Trim());
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException or ObjectDisposedException)
                {
                }
                _types.Writer.TryComplete();
            }, ct);
        }

        public static async Task<Stream> OpenAsync(HttpClient http, long item, CancellationToken ct)
        {
            var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/live?item={item}"), HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            return new Stream(response, ct);
        }

        public async Task WaitAsync(string type, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await _types.Reader.ReadAsync(timeout.Token) != type)
            {
            }
        }

        // The read is cancelled, not left to end: disposing the response alone let a pending read
        // wait for the stream's next heartbeat, one stream after another (a 200-stream run hung).
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _reader.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _stop.Dispose();
        }
    }
}
