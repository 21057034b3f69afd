using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Cms.Application;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Bench;

// ./cms bench history: the item page (its history included) for the item of issue 18 finding 4,
// 50 related links whose titles are 3,000 words each, after every link was decided and several
// source revisions rewrote every title (each accepted revision's event holds both lists, about
// 1.2 million characters a side). The import limit on related titles is raised for this item only
// in the bench (the default, 1,000 characters, refuses such titles). Baseline in the same run: the
// same page for an item of the real sample's shape (~5 KiB, 2-3 related links).
public static class HistoryBench
{
    private const string Database = "cms_bench_history";
    private const int Links = 50;
    private const int Words = 3_000;

    public static Command Command()
    {
        var revisions = new Option<int>("--revisions") { Description = "Accepted source revisions that rewrite every title", DefaultValueFactory = _ => 3 };
        var requests = new Option<int>("--requests") { Description = "Page views measured per item", DefaultValueFactory = _ => 30 };
        var command = new Command("history", "Time the item page with its history for 50 related links of 3,000 words each, against a realistic item.")
        {
            revisions, requests,
        };
        command.SetAction(async (parse, ct) =>
        {
            await RunAsync(parse.GetValue(revisions), parse.GetValue(requests), ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    private static async Task RunAsync(int revisions, int requests, CancellationToken ct)
    {
        // Read by the CLI host here and inherited by the app's process.
        Environment.SetEnvironmentVariable("Import__Limits__MaxRelatedTitleLength", "60000");
        var server = BenchSupport.ServerConnectionString();
        var cs = await BenchSupport.CreateDatabaseAsync(server, Database, ct);
        try
        {
            using var host = CliHost.Build(cs);
            var heavy = new TestItem { Related = Enumerable.Range(0, Links).Select(i => (Title(i, 0), $"https://outlet{i}.example/story")).ToList() };
            var light = new RealisticItemGenerator(7).Next(0);
            var heavyId = await ImportAsync(host.Services, heavy.ToYaml(), ct);
            var lightId = await ImportAsync(host.Services, light, ct);
            await DecideAllAsync(host.Services, heavyId, ct);
            await DecideAllAsync(host.Services, lightId, ct);
            for (var r = 1; r <= revisions; r++)
            {
                var revised = heavy with { Related = Enumerable.Range(0, Links).Select(i => (Title(i, r), $"https://outlet{i}.example/story")).ToList() };
                await ImportAsync(host.Services, revised.ToYaml(), ct);
                await AcceptAllAsync(host.Services, heavyId, ct);
            }
            var eventChars = await Scoped(host.Services, s => s.GetRequiredService<CmsDbContext>().Database
                .SqlQuery<long>($"SELECT coalesce(sum(length(payload::text)), 0)::bigint AS \"Value\" FROM audit_events WHERE entity_id = {heavyId.ToString()}").SingleAsync(ct));

            await using var app = await AppProcess.StartAsync(cs, ["--Logging:LogLevel:Default=Warning", "--RateLimit:LoginPerMinute=100000"], ct);
            using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = app.Address };
            await QueueBench.SignInAsync(host.Services, http, "bench-history@cms.local", Roles.Editor, ct);
            var heavyPage = await MeasureAsync(http, $"/Items/Details/{heavyId}", requests, ct);
            var lightPage = await MeasureAsync(http, $"/Items/Details/{lightId}", requests, ct);

            Console.WriteLine();
            Console.WriteLine($"item page, one client, {requests} views each after 5 warm-up views; the app in its own process; load average {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine($"heavy item: {Links} related links of {Words:N0} words, {revisions} accepted revisions rewriting every title; its audit events hold {eventChars:N0} characters");
            Console.WriteLine("| item | page KiB | p50 ms | p95 ms | max ms |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine($"| 50 links x 3,000 words | {heavyPage.Kib:N0} | {heavyPage.P50:N0} | {heavyPage.P95:N0} | {heavyPage.Max:N0} |");
            Console.WriteLine($"| realistic (~5 KiB, 2-3 links) | {lightPage.Kib:N0} | {lightPage.P50:N0} | {lightPage.P95:N0} | {lightPage.Max:N0} |");
            Console.WriteLine($"heavy p95 / realistic p95: {heavyPage.P95 / lightPage.P95:N1}x");
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, Database, ct);
        }
    }

    private static readonly string[] Vocabulary = ["news", "said", "from", "city", "they", "with", "will", "year", "more", "over", "talks", "vote"];

    // 3,000 short words (the file stays under the 1 MiB upload limit), the same first 20 words in
    // every revision and a different sequence after them, so each change spans nearly all the text.
    private static string Title(int link, int revision) =>
        string.Join(' ', Enumerable.Range(0, Words).Select(w => Vocabulary[(w * 7 + link + (w < 20 ? 0 : revision * 5)) % Vocabulary.Length]));

    private static async Task<T> Scoped<T>(IServiceProvider services, Func<IServiceProvider, Task<T>> work)
    {
        using var scope = services.CreateScope();
        return await work(scope.ServiceProvider);
    }

    private static Task<long> ImportAsync(IServiceProvider services, string text, CancellationToken ct) => Scoped(services, async s =>
    {
        var file = ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(text));
        var outcome = await s.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), [file], null, ct);
        if (!outcome.Succeeded || outcome.Value!.Rejected > 0)
        {
            throw new InvalidOperationException("the bench item was refused: " + string.Join("; ", outcome.Value?.Problems.Select(p => p.ToString()) ?? [outcome.Result.Message]));
        }
        return await s.GetRequiredService<CmsDbContext>().Items.OrderByDescending(i => i.Id).Select(i => i.Id).FirstAsync(ct);
    });

    // The first link rejected, the others approved, as an editor saves them from the item page.
    private static Task<bool> DecideAllAsync(IServiceProvider services, long id, CancellationToken ct) => Scoped(services, async s =>
    {
        var db = s.GetRequiredService<CmsDbContext>();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == id, ct);
        var links = await db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position).ToListAsync(ct);
        var changes = links.Select((l, i) => new SaveItemEdits.LinkChange(l.Id, i == 0 ? LinkDecision.Rejected : LinkDecision.Approved, i == 0 ? "off topic" : null)).ToList();
        var topics = await db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToListAsync(ct);
        var saved = await s.GetRequiredService<SaveItemEdits>().HandleAsync(Actor.System("bench"),
            new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, topics, changes, null), ct);
        return saved.Succeeded ? true : throw new InvalidOperationException(saved.Message);
    });

    private static Task<bool> AcceptAllAsync(IServiceProvider services, long id, CancellationToken ct) => Scoped(services, async s =>
    {
        var revisions = s.GetRequiredService<SourceRevisions>();
        var comparison = await revisions.CompareAsync(id, ct) ?? throw new InvalidOperationException("no pending revision");
        var version = await s.GetRequiredService<CmsDbContext>().Items.Where(i => i.Id == id).Select(i => i.Version).SingleAsync(ct);
        var accepted = await revisions.AcceptAsync(Actor.System("bench"), id, comparison.RevisionId, version, null, ct);
        return accepted.Succeeded ? true : throw new InvalidOperationException(accepted.Message);
    });

    private sealed record Figures(double Kib, double P50, double P95, double Max);

    private static async Task<Figures> MeasureAsync(HttpClient http, string url, int requests, CancellationToken ct)
    {
        var size = 0;
        for (var i = 0; i < 5; i++)
        {
            size = (await (await http.GetAsync(url, ct)).EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync(ct)).Length;
        }
        var latencies = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            (await http.GetAsync(url, ct)).EnsureSuccessStatusCode();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);
        double At(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        return new Figures(size / 1024.0, At(0.50), At(0.95), latencies[^1]);
    }
}
