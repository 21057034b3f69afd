using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Cms.Application;
using Cms.Application.Importing;
using Cms.Application.Queue;
using Cms.Application.Users;
using Cms.Core.Security;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Bench;

// ./cms bench queue --items N: fills a kept database (cms_bench_queue) up to N generated items, starts
// the real app in its own process, and measures the queue page over HTTP with a signed-in cookie at C
// concurrent clients for three views. As the baseline it runs the statements the page sends
// (QueuePageSql: the session, the page's lists and its rows, through the application's own calls)
// straight against the database, at the same concurrency, in the same run, and prints the CPU the
// bench itself, the app and PostgreSQL spent per request (CpuSplit).
public static partial class QueueBench
{
    private const string DefaultDatabase = "cms_bench_queue";

    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "Items the bench database should hold", DefaultValueFactory = _ => 1_000_000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients", DefaultValueFactory = _ => 8 };
        var requests = new Option<int>("--requests") { Description = "Requests per view and per measurement", DefaultValueFactory = _ => 800 };
        var database = new Option<string>("--database") { Description = "Kept database to fill and measure", DefaultValueFactory = _ => DefaultDatabase };
        database.Validators.Add(r =>
        {
            if (!Regex.IsMatch(r.GetValueOrDefault<string>() ?? "", "^[a-z_][a-z0-9_]{0,62}$"))
            {
                r.AddError("--database must be a lower-case identifier");
            }
        });
        var peerUrl = new Option<string?>("--peer-url") { Description = "Base URL of another system serving the same data, measured in the same run" };
        peerUrl.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string?>(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError("--peer-url must be an absolute http(s) URL");
            }
        });
        var peerViews = new Option<string[]>("--peer-view") { Description = "KEY=PATH: the peer's request for one view (keys: default, combined, rare, common, russian, provider)" };
        var peerHeaders = new Option<string[]>("--peer-header") { Description = "'Name: value' sent with every peer request (e.g. an access token)" };
        var explain = new Option<bool>("--explain") { Description = "Print EXPLAIN (ANALYZE, BUFFERS) of each view's page query and counts read, and the counts shown, instead of measuring" };
        var loadOnly = new Option<bool>("--load-only") { Description = "Fill (and migrate) the database up to --items, then stop without measuring" };
        var publishedShare = new Option<double>("--published-share") { Description = "Share of the items (the first received) imported as Published, so states correlate with the received date as in a real newsroom (default 0: every item New)", DefaultValueFactory = _ => 0 };
        var only = new Option<string[]>("--view") { Description = "Measure only these views (keys: default, combined, rare, common, russian, provider); all when none given" };
        only.Validators.Add(r =>
        {
            if ((r.GetValueOrDefault<string[]>() ?? []).FirstOrDefault(k => !ViewKeys.Contains(k)) is { } unknown)
            {
                r.AddError($"--view {unknown}: expected one of {string.Join(", ", ViewKeys)}");
            }
        });
        var folding = new Option<bool>("--folding") { Description = "Time the search views with accent folding against the configurations before it (english, russian, simple) in the same run, instead of measuring the page" };
        var accuracy = new Option<bool>("--accuracy") { Description = "Print, for each view and state, the count the page shows against the exact count, instead of measuring" };
        // A fresh app's CPU per page keeps falling for thousands of pages (tiered JIT and PGO): 3.8 ms
        // for its first 800 pages, 1.8 ms after 4,000, 0.9 ms after 8,000 (docs/benchmarks.md, QUEUE6).
        var warmupOption = new Option<int?>("--warmup") { Description = "Warm-up requests per view, page and SQL each, before anything is measured (default 8,000, at most ten times --requests)" };
        var roundsOption = new Option<int>("--rounds") { Description = "After the single page and SQL measurement of each view, this many rounds of page then SQL (--requests each), alternating, with the ratio per round, its median and spread (0: none)", DefaultValueFactory = _ => 5 };
        roundsOption.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 100)
            {
                r.AddError("--rounds must be between 0 and 100");
            }
        });
        var compare = new Option<bool>("--compare-methods") { Description = "Also measure each view the way the bench did before 2026-12-06 (each response buffered whole; the counts and rows as the SQL baseline), in the same run" };
        var command = new Command("queue", "Time the queue page against its own SQL (and optionally a peer system) at a million items.")
        {
            items, clients, requests, database, peerUrl, peerViews, peerHeaders, loadOnly, explain, publishedShare, accuracy, folding, only, compare, warmupOption, roundsOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var peer = parse.GetValue(peerUrl) is { } url ? Peer.Parse(new Uri(url), parse.GetValue(peerViews) ?? [], parse.GetValue(peerHeaders) ?? []) : null;
            if (peer is { Error: { } error })
            {
                Console.Error.WriteLine(error);
                return BenchProgram.Usage;
            }
            await RunAsync(parse.GetRequiredValue(database), parse.GetValue(items), parse.GetValue(clients), parse.GetValue(requests), peer, parse.GetValue(loadOnly), parse.GetValue(explain),
                parse.GetValue(publishedShare), parse.GetValue(accuracy), parse.GetValue(folding), parse.GetValue(only) ?? [], parse.GetValue(compare), parse.GetValue(warmupOption), parse.GetValue(roundsOption), ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    [GeneratedRegex("<tr data-item-id=")]
    private static partial Regex Row();

    // Another system on the same data: one request per view, compared at the same concurrency.
    private sealed record Peer(Uri BaseUrl, IReadOnlyDictionary<string, string> Views, IReadOnlyList<(string Name, string Value)> Headers, string? Error)
    {
        public static Peer Parse(Uri baseUrl, string[] views, string[] headers)
        {
            var byKey = new Dictionary<string, string>();
            foreach (var view in views)
            {
                var parts = view.Split('=', 2);
                if (parts.Length != 2 || !ViewKeys.Contains(parts[0]))
                {
                    return new(baseUrl, byKey, [], $"--peer-view '{view}': expected KEY=PATH with KEY one of {string.Join(", ", ViewKeys)}");
                }
                byKey[parts[0]] = parts[1];
            }
            var parsed = headers.Select(h => h.Split(':', 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim())).ToList();
            return new(baseUrl, byKey, parsed, byKey.Count == 0 ? "--peer-url needs at least one --peer-view KEY=PATH" : null);
        }
    }

    private static readonly string[] ViewKeys = ["default", "combined", "rare", "common", "russian", "provider"];

    private static async Task RunAsync(string database, int n, int clients, int requests, Peer? peer, bool loadOnly, bool explain, double publishedShare, bool accuracy, bool folding, string[] only, bool compareMethods, int? warmups, int rounds, CancellationToken ct)
    {
        var server = BenchSupport.ServerConnectionString();
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = database, MaxPoolSize = 50 }.ConnectionString;
        await EnsureDatabaseAsync(server, database, cs, ct);
        await LoadAsync(database, cs, n, publishedShare, ct);
        if (loadOnly)
        {
            return;
        }
        if (folding)
        {
            await FoldingAsync(cs, requests, ct);
            return;
        }

        // The SQL baseline, sign-in and EXPLAIN use the application's services in this process.
        using var host = CliHost.Build(cs);
        var surname = RealisticItemGenerator.Surname(1234);
        (string Key, string Name, string Url, QueueView View)[] views =
        [
            ("default", "default view", "/", new QueueView()),
            ("combined", "combined filter", "/?View.Category=news&View.QualityMin=40&View.QualityMax=90&View.Topic=AI",
                new QueueView { Category = "news", QualityMin = 40, QualityMax = 90, Topic = ["AI"] }),
            ("rare", $"full-text search \"{surname}\" (a name, about 1 item in 8,000)", $"/?View.Q={surname}", new QueueView { Q = surname }),
            ("common", "full-text search \"market\" (~80% of items)", "/?View.Q=market", new QueueView { Q = "market" }),
            // Russian stemming and the last word as a prefix; the provider filter by the start of a word.
            ("russian", "full-text search \"энерг\" (Russian prefix)", "/?View.Q=энерг", new QueueView { Q = "энерг" }),
            ("provider", "provider \"hindustan\" (a word of the name, ~1 in 11)", "/?View.Provider=hindustan", new QueueView { Provider = "hindustan" }),
        ];
        if (only.Length > 0)
        {
            views = [.. views.Where(v => only.Contains(v.Key))];
        }
        if (explain)
        {
            foreach (var (_, name, _, view) in views)
            {
                await QueuePlans.PrintAsync(host.Services, name, view, ct);
            }
            return;
        }
        if (accuracy)
        {
            await CountAccuracy.PrintAsync(host.Services, [.. views.Select(v => (v.Name, v.View)), .. CountAccuracy.MoreViews(surname)], ct);
            return;
        }

        await using var app = await AppProcess.StartAsync(cs, ["--Logging:LogLevel:Default=Warning", "--RateLimit:LoginPerMinute=100000"], ct);
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false, MaxConnectionsPerServer = clients * 2 })
        {
            BaseAddress = app.Address,
        };
        await SignInAsync(host.Services, http, ct);
        var session = await QueuePageSql.SessionOfAsync(host.Services, BenchEmail, ct);
        var actor = await QueuePageSql.ActorOfAsync(host.Services, session, ct);

        // The page: its whole body is read (the response ends with its last byte) into a buffer of
        // each client's, never decoded nor kept. Until 2026-12-06 each response was buffered whole
        // by HttpClient (GetAsync), which cost this process CPU on the cores the app shares.
        async Task Page(string url)
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                while (await body.ReadAsync(buffer, ct) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        async Task BufferedPage(string url) => (await http.GetAsync(url, ct)).EnsureSuccessStatusCode();
        // The baseline: every statement the page sends (QueuePageSql); before 2026-12-06 the counts
        // and the page of rows only (CountsAndRows).
        Task Sql(QueueView view) => QueuePageSql.RunAsync(host.Services, session, actor, view, ct);
        async Task CountsAndRows(QueueView view)
        {
            using var scope = host.Services.CreateScope();
            var queue = scope.ServiceProvider.GetRequiredService<QueueQuery>();
            await queue.CountsAsync(view, ct);
            await queue.PageAsync(view, ct);
        }
        // Every view, page and SQL, is warmed before anything is measured: until the JIT has
        // promoted the hot methods (tiered compilation re-compiles them in the background), the
        // first view measured paid for it: with 50 warm-up requests the default view read p95
        // 92 ms, with 1,500 per view 44 ms, same build, same data (docs/benchmarks.md).
        // (A short run, like the test's, warms in proportion.)
        var warmup = warmups ?? Math.Min(Warmup, 10 * requests);
        foreach (var (_, _, url, view) in views)
        {
            await MeasureAsync(clients, warmup, () => Page(url), ct);
            await MeasureAsync(clients, warmup, () => Sql(view), ct);
            if (compareMethods)
            {
                await MeasureAsync(clients, warmup / 4, () => BufferedPage(url), ct);
                await MeasureAsync(clients, warmup / 4, () => CountsAndRows(view), ct);
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        // The peaks below are from here on: the app's process, and this one (HTTP clients and the SQL baseline).
        app.ResetPeakRss();
        BenchSupport.ResetPeakRss();
        async Task<(Figures Figures, CpuSplit Cpu, AppGc.PerPage Gc)> Timed(Func<Task> call)
        {
            // Each measurement starts with the app quiet: after a burst of pages its background work
            // (the GC, the JIT) went on for up to a second into the next measurement (0.6 ms of app CPU
            // per SQL request while the app served nothing), taking the cores from whatever ran then.
            await CpuSplit.AppQuietAsync(app.Id, ct);
            var gc = await app.GcAsync(ct);
            await app.GcPausesAsync(ct);
            var start = CpuSplit.Now(app.Id, database);
            var figures = await MeasureAsync(clients, requests, call, ct);
            var cpu = CpuSplit.Now(app.Id, database).PerRequestSince(start, requests);
            var perPage = (await app.GcAsync(ct)).Since(gc, requests);
            // The runtime's events reach the app's listener a moment after the pause.
            await Task.Delay(200, ct);
            var (share, p95) = figures.LessPauses(await app.GcPausesAsync(ct));
            return (figures, cpu, perPage with { PausedShare = share, P95LessPauses = p95 });
        }
        Console.WriteLine();
        Console.WriteLine($"{clients} concurrent clients, {requests} requests per measurement; the app in its own process ({app.Address})");
        Console.WriteLine("| view | rows | HTML KiB | page p50 ms | page p95 ms | page p99 ms | page req/s | SQL p50 ms | SQL p95 ms | SQL p99 ms | page p95 / SQL p95 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var pageRates = new Dictionary<string, Figures>();
        var split = new List<string>();
        void Split(string name, string measured, (Figures F, CpuSplit C, AppGc.PerPage G) m) => split.Add(FormattableString.Invariant(
            $"| {name} | {measured} | {m.F.P50:F1} | {m.F.P95:F1} | {m.F.PerSecond:F0} | {m.C.Bench:F3} | {m.C.App:F3} | {m.C.Postgres:F3} | {m.C.Backends:F3} | {m.G.Gcs} | {m.G.PauseMs:F3} | {m.G.AllocatedKiB:F1} |"));
        foreach (var (key, name, url, view) in views)
        {
            var html = await http.GetStringAsync(url, ct);
            var rows = Row().Matches(html).Count;
            var page = await Timed(() => Page(url));
            var sql = await Timed(() => Sql(view));
            Console.WriteLine(FormattableString.Invariant(
                $"| {name} | {rows} | {System.Text.Encoding.UTF8.GetByteCount(html) / 1024.0:F1} | {page.Figures.P50:F1} | {page.Figures.P95:F1} | {page.Figures.P99:F1} | {page.Figures.PerSecond:F0} | {sql.Figures.P50:F1} | {sql.Figures.P95:F1} | {sql.Figures.P99:F1} | {page.Figures.P95 / sql.Figures.P95:F2}x |"));
            pageRates[key] = page.Figures;
            Split(name, "page, body drained", page);
            Split(name, "SQL: the page's statements", sql);
            if (compareMethods)
            {
                var buffered = await Timed(() => BufferedPage(url));
                var old = await Timed(() => CountsAndRows(view));
                Split(name, "page, body buffered (before)", buffered);
                Split(name, "SQL: counts and rows (before)", old);
                split.Add(FormattableString.Invariant(
                    $"| {name} | page p95 / SQL p95 | before {buffered.Figures.P95 / old.Figures.P95:F2}x, now {page.Figures.P95 / sql.Figures.P95:F2}x | | | | | | | | | |"));
            }
        }
        Console.WriteLine(FormattableString.Invariant(
            $"app process peak RSS during the measurements: {app.PeakRssMiB():F0} MiB (its own runtimeconfig: Server GC); benchmark process (clients and SQL baseline): {BenchSupport.PeakRssMiB():F0} MiB"));
        Console.WriteLine($"app's GC: {await app.GcSettingsAsync(ct)}");
        Console.WriteLine();
        Console.WriteLine($"CPU per request, ms: this process (HTTP clients, SQL baseline), the app's process, every PostgreSQL process of the cluster, and of those {database}'s backends");
        Console.WriteLine($"| view | measured | p50 ms | p95 ms | req/s | bench CPU ms | app CPU ms | PostgreSQL CPU ms | of it {database}'s backends | app's GCs a 1,000 requests, gen0 / 1 / 2 | app's GC pause ms | app KiB allocated |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        split.ForEach(Console.WriteLine);
        if (rounds > 0)
        {
            await RoundsAsync(views.Select(v => (v.Name, (Func<Task>)(() => Page(v.Url)), (Func<Task>)(() => Sql(v.View)))).ToList(), rounds, requests, Timed, ct);
        }
        if (peer is not null)
        {
            await MeasurePeerAsync(peer, views.Select(v => (v.Key, v.Name)).ToList(), pageRates, clients, requests, ct);
        }
    }

    private const string BenchEmail = "bench@cms.local";

    private static async Task MeasurePeerAsync(Peer peer, List<(string Key, string Name)> views, Dictionary<string, Figures> ours, int clients, int requests, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = peer.BaseUrl };
        foreach (var (name, value) in peer.Headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
        Console.WriteLine();
        Console.WriteLine($"peer {peer.BaseUrl} on the same data, same concurrency");
        Console.WriteLine("| view | peer request | peer p50 ms | peer p95 ms | peer req/s | our page req/s / peer req/s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var (key, name) in views)
        {
            if (!peer.Views.TryGetValue(key, out var path))
            {
                continue;
            }
            await MeasureAsync(clients, 50, async () => (await http.GetAsync(path, ct)).EnsureSuccessStatusCode(), ct);
            var figures = await MeasureAsync(clients, requests, async () => (await http.GetAsync(path, ct)).EnsureSuccessStatusCode(), ct);
            Console.WriteLine(FormattableString.Invariant(
                $"| {name} | `{path}` | {figures.P50:F1} | {figures.P95:F1} | {figures.PerSecond:F0} | {ours[key].PerSecond / figures.PerSecond:F2}x |"));
        }
    }

    // Latencies: every request's, sorted (the rounds pool them). Spans: each request's start and end
    // in UTC ticks, in the order they were sent (to find the ones a GC pause of the app fell into).
    private sealed record Figures(double P50, double P95, double P99, double PerSecond, double[] Latencies)
    {
        public (long Start, long End)[] Spans { get; init; } = [];

        public static Figures Of(double[] sorted, double perSecond)
        {
            double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
            return new(At(0.50), At(0.95), At(0.99), perSecond, sorted);
        }

        // The share of requests a GC pause fell into, and the p95 of the latencies with the pauses'
        // part taken out of each (what the tail would read had the app not stopped; first order: what
        // queued behind a paused request is left in).
        public (double Share, double P95) LessPauses(IReadOnlyList<(DateTime Start, DateTime End)> pauses)
        {
            var hit = 0;
            var less = new double[Spans.Length];
            for (var i = 0; i < Spans.Length; i++)
            {
                var (start, end) = Spans[i];
                long overlap = 0;
                foreach (var (ps, pe) in pauses)
                {
                    overlap += Math.Max(0, Math.Min(end, pe.Ticks) - Math.Max(start, ps.Ticks));
                }
                hit += overlap > 0 ? 1 : 0;
                less[i] = (end - start - overlap) / (double)TimeSpan.TicksPerMillisecond;
            }
            Array.Sort(less);
            return (Spans.Length == 0 ? 0 : (double)hit / Spans.Length, less.Length == 0 ? 0 : Of(less, 0).P95);
        }
    }

    private const int Warmup = 8_000;

    private static async Task<Figures> MeasureAsync(int clients, int requests, Func<Task> call, CancellationToken ct)
    {
        var latencies = new double[requests];
        var spans = new (long Start, long End)[requests];
        var next = -1;
        var (utc0, clock0) = (DateTime.UtcNow.Ticks, Stopwatch.GetTimestamp());
        long Utc(long timestamp) => utc0 + (long)((timestamp - clock0) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var start = Stopwatch.GetTimestamp();
                await call();
                var end = Stopwatch.GetTimestamp();
                latencies[i] = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                spans[i] = (Utc(start), Utc(end));
            }
        }, ct)));
        var elapsed = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return Figures.Of(latencies, requests / elapsed) with { Spans = spans };
    }

    internal static async Task EnsureDatabaseAsync(string server, string database, string cs, CancellationToken ct)
    {
        await using (var conn = new NpgsqlConnection(server))
        {
            await conn.OpenAsync(ct);
            await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{database}'", conn);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", conn);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
        await BenchSupport.MigrateAsync(cs, ct);
    }

    // Tops the database up to n items through the real importer, from generated text in memory.
    private static async Task LoadAsync(string database, string cs, int n, double publishedShare, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var have = await db.Items.CountAsync(ct);
        if (have >= n)
        {
            Console.WriteLine($"{database} holds {have} items");
            return;
        }
        Console.WriteLine($"{database} holds {have} items; generating and importing {n - have} more");
        var generator = new RealisticItemGenerator(seed: have);
        var files = Enumerable.Range(have, n - have).Select(i =>
        {
            var text = generator.Next(i);
            if (i < publishedShare * n)
            {
                text = text.Replace("published: false\n", "published: true\n", StringComparison.Ordinal);
            }
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            return ImportSources.FromBytes($"bench/{i:D7}_{i:x16}.txt", bytes);
        });
        var clock = Stopwatch.StartNew();
        var progress = new Progress<ImportReport>(r =>
        {
            if (r.Seen % 50_000 < ImportOptions.DefaultBatchFiles)
            {
                Console.WriteLine(FormattableString.Invariant($"  {r.Seen} in {clock.Elapsed.TotalSeconds:F0} s"));
            }
        });
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), files, progress, ct);
        Console.WriteLine($"loaded: {outcome.Value!.Summary} in {clock.Elapsed.TotalSeconds:F0} s");
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE", ct);
    }

    private static Task SignInAsync(IServiceProvider services, HttpClient http, CancellationToken ct) =>
        SignInAsync(services, http, BenchEmail, Roles.Editor, ct);

    // Signs the client in as a bench account of this role (created, or its password reset).
    internal static async Task SignInAsync(IServiceProvider services, HttpClient http, string email, string role, CancellationToken ct) =>
        await SignInAsync(http, email, await AccountAsync(services, email, role, ct), ct);

    // The bench account's new password (its sessions end with the reset).
    internal static async Task<string> AccountAsync(IServiceProvider services, string email, string role, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var reset = await users.ResetPasswordAsync(Actor.System("bench"), email, null, "bench sign-in", ct);
        if (reset.Succeeded)
        {
            return reset.Value!;
        }
        var created = await users.ProvisionAsync(Actor.System("bench"), email, null, role, ct);
        return created.Value?.Password ?? throw new InvalidOperationException(created.Result.Message);
    }

    internal static async Task SignInAsync(HttpClient http, string email, string password, CancellationToken ct)
    {
        var login = await http.GetStringAsync("/Account/Login", ct);
        var token = Regex.Match(login, """name="__RequestVerificationToken" type="hidden" value="([^"]+)""").Groups[1].Value;
        var response = await http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }), ct);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException("the bench user could not sign in");
        }
    }
}
