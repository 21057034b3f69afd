using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cms.Application;
using Cms.Application.Delivery;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// ./cms bench delivery: what consuming sites cost, each figure beside a baseline of the same run.
// 1. A mirror catching up on N published items through /api/v1/published?after= (pages of 1,000,
//    one client), against the SQL floor: the same query, the same rows and pages, read straight
//    from PostgreSQL with no HTTP, JSON or token check.
// 2. Webhook throughput: M item.corrected messages sent by the worker's sender (claim, sign, POST,
//    record, audit) to a local receiver, against POSTing the same bodies to it with a bare
//    HttpClient at the same parallelism.
// Setting up N items (realistic shape, imported, links decided, published in bulk) is timed too:
// publishing records each item's delivered version in the move's transaction.
public static class DeliveryBench
{
    public static Command Command()
    {
        var items = new Option<int>("--items") { Description = "Published items the mirror catches up on", DefaultValueFactory = _ => 100_000 };
        var messages = new Option<int>("--messages") { Description = "Webhook messages to send (0 skips)", DefaultValueFactory = _ => 5_000 };
        var command = new Command("delivery", "Time a mirror catching up through the API, and webhook throughput.") { items, messages };
        command.SetAction(async (parse, ct) =>
        {
            await RunAsync(parse.GetValue(items), parse.GetValue(messages), ct);
            return BenchProgram.Ok;
        });
        return command;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static async Task RunAsync(int n, int m, CancellationToken ct)
    {
        var server = BenchSupport.ServerConnectionString();
        var database = $"cms_bench_delivery_{DateTime.UtcNow:HHmmss}";
        Console.WriteLine($"load average at start: {Load()}");
        try
        {
            var cs = await BenchSupport.CreateDatabaseAsync(server, database, ct);
            var publishers = new Actor("bench-publisher", "bench-publisher@cms.local", Permissions.Of([Roles.Publisher]));
            var ids = await PublishedAsync(cs, n, publishers, ct);
            var app = CmsApp.Build([$"--ConnectionStrings:Cms={cs}", "--Logging:LogLevel:Default=Warning", "--Publishing:Worker=false",
                "--Outbound:AllowPrivateNetworks=true"], "http://127.0.0.1:0");
            await app.StartAsync(ct);
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                string token;
                using (var scope = app.Services.CreateScope())
                {
                    token = (await scope.ServiceProvider.GetRequiredService<DeliverySites>().CreateAsync(Actor.System("bench"), "bench", ct)).Value!;
                }
                using var http = new HttpClient { BaseAddress = new Uri(address) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                // Warm both paths once (JIT, caches), then measure.
                await MirrorAsync(http, 5_000, ct);
                await FloorAsync(cs, 5_000, ct);
                var (mirrored, api) = await MirrorAsync(http, int.MaxValue, ct);
                var (read, floor) = await FloorAsync(cs, int.MaxValue, ct);
                Console.WriteLine();
                Console.WriteLine("| mirror of | API s | API items/s | SQL floor s | floor items/s | API / floor |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
                Console.WriteLine(FormattableString.Invariant($"| {mirrored:N0} | {api:F1} | {mirrored / api:N0} | {floor:F1} | {read / floor:N0} | {api / floor:F2}x |"));
                if (m > 0)
                {
                    await WebhooksAsync(app.Services, ids.Take(m).ToList(), publishers, ct);
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await BenchSupport.DropDatabaseAsync(server, database, CancellationToken.None);
            Console.WriteLine($"load average at end: {Load()}");
        }
    }

    // N realistic items (~5 KiB, 2-3 related links) imported, links decided, marked ready and
    // published in bulk (1,000 per move, as the queue allows). Prints the publish rate.
    private static async Task<List<long>> PublishedAsync(string cs, int n, Actor publisher, CancellationToken ct)
    {
        using var host = CliHost.Build(cs);
        var clock = Stopwatch.StartNew();
        using (var scope = host.Services.CreateScope())
        {
            var generator = new RealisticItemGenerator(seed: 19);
            var files = Enumerable.Range(0, n).Select(i =>
            {
                var text = generator.Next(i);
                return ImportSources.FromBytes(ItemFileGenerator.FileName(i, text), Encoding.UTF8.GetBytes(text));
            });
            await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("bench"), files, null, ct);
        }
        var imported = clock.Elapsed.TotalSeconds;
        List<long> ids;
        using (var scope = host.Services.CreateScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items.Select(i => i.Id).OrderBy(i => i).ToListAsync(ct);
        }
        var editor = new Actor("bench-editor", "bench-editor@cms.local", Permissions.Of([Roles.Editor]));
        foreach (var chunk in ids.Chunk(BulkEdit.MaxItems))
        {
            using var scope = host.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<BulkEdit>().HandleAsync(editor, new BulkEdit.Command(chunk, BulkEdit.ApproveLinks, null), ct);
            await scope.ServiceProvider.GetRequiredService<ItemTransitions>().HandleManyAsync(editor, chunk, WorkflowAction.MarkReady, null, ct);
        }
        var readied = clock.Elapsed.TotalSeconds;
        foreach (var chunk in ids.Chunk(BulkEdit.MaxItems))
        {
            using var scope = host.Services.CreateScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<ItemTransitions>().HandleManyAsync(publisher, chunk, WorkflowAction.Publish, null, ct);
            if (!outcome.Succeeded || outcome.Message!.Contains("refused", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(outcome.Message);
            }
        }
        var published = clock.Elapsed.TotalSeconds - readied;
        Console.WriteLine(FormattableString.Invariant(
            $"set-up: {n:N0} items imported in {imported:F1} s, decided and marked ready in {readied - imported:F1} s, published (rendered and recorded for delivery, 1,000 per move) in {published:F1} s = {n / published:N0} items/s"));
        return ids;
    }

    // Follows the API from the start until a short page; returns items seen and seconds.
    private static async Task<(int Items, double Seconds)> MirrorAsync(HttpClient http, int max, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var cursor = "0";
        var count = 0;
        while (count < max)
        {
            await using var stream = await http.GetStreamAsync($"/api/v1/published?after={cursor}&limit=1000", ct);
            using var page = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            var items = page.RootElement.GetProperty("items");
            count += items.GetArrayLength();
            cursor = page.RootElement.GetProperty("next").GetString()!;
            if (!page.RootElement.GetProperty("more").GetBoolean())
            {
                break;
            }
        }
        return (count, clock.Elapsed.TotalSeconds);
    }

    // The floor: the API's query and pages, straight from PostgreSQL, every column read.
    private static async Task<(int Items, double Seconds)> FloorAsync(string cs, int max, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        long cursor = 0;
        var count = 0;
        var bytes = 0L;
        while (count < max)
        {
            await using var command = new NpgsqlCommand(
                "SELECT item_id, version, withdrawn, seq, changed_at, first_published_at, document FROM published_items WHERE seq > @after ORDER BY seq LIMIT 1000", conn);
            command.Parameters.AddWithValue("after", cursor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var page = 0;
            while (await reader.ReadAsync(ct))
            {
                page++;
                cursor = reader.GetInt64(3);
                bytes += reader.IsDBNull(6) ? 0 : reader.GetString(6).Length;
            }
            count += page;
            if (page < 1000)
            {
                break;
            }
        }
        return (count, clock.Elapsed.TotalSeconds);
    }

    private static async Task WebhooksAsync(IServiceProvider services, List<long> ids, Actor publisher, CancellationToken ct)
    {
        var receiver = WebApplication.CreateSlimBuilder();
        receiver.WebHost.UseUrls("http://127.0.0.1:0");
        receiver.Logging.ClearProviders();
        var hooks = receiver.Build();
        var received = 0;
        hooks.MapPost("/hook", async (HttpContext http) =>
        {
            using var body = new StreamReader(http.Request.Body);
            await body.ReadToEndAsync();
            Interlocked.Increment(ref received);
            return Results.Ok();
        });
        await hooks.StartAsync(ct);
        try
        {
            var url = hooks.Urls.Single() + "/hook";
            using (var scope = services.CreateScope())
            {
                await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.System("bench"), url, [DeliveryEvents.Corrected], ct);
            }
            var recordClock = Stopwatch.StartNew();
            foreach (var chunk in ids.Chunk(BulkEdit.MaxItems))
            {
                using var scope = services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<ItemTransitions>().HandleManyAsync(publisher, chunk, WorkflowAction.Correct, "bench correction", ct);
            }
            var recorded = recordClock.Elapsed.TotalSeconds;
            List<string> bodies;
            using (var scope = services.CreateScope())
            {
                bodies = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().WebhookMessages.Select(x => x.Payload).ToListAsync(ct);
            }
            var options = services.GetRequiredService<WebhookOptions>();
            var clock = Stopwatch.StartNew();
            while (true)
            {
                using var scope = services.CreateScope();
                if (await scope.ServiceProvider.GetRequiredService<WebhookSender>().RunOnceAsync(ct) == 0)
                {
                    break;
                }
            }
            var sent = clock.Elapsed.TotalSeconds;
            var delivered = received;
            using var bare = new HttpClient();
            clock.Restart();
            await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (body, token) =>
            {
                using var response = await bare.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"), token);
                response.EnsureSuccessStatusCode();
            });
            var floor = clock.Elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"{bodies.Count:N0} corrections recorded with their webhook messages in {recorded:F1} s"));
            Console.WriteLine("| webhooks | sender s | deliveries/s | bare POSTs s | POSTs/s | sender / bare |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(FormattableString.Invariant($"| {delivered:N0} | {sent:F1} | {delivered / sent:N0} | {floor:F1} | {bodies.Count / floor:N0} | {sent / floor:F2}x |"));
        }
        finally
        {
            await hooks.StopAsync(CancellationToken.None);
        }
    }
}
