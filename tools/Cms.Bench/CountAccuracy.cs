using System.Diagnostics;
using Cms.Application.Queue;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Bench;

// ./cms bench queue --accuracy: for each view, the count the queue shows beside each state against
// the exact count (counted here, however long that takes), the planner's estimate of the whole
// filter against the exact total, and how long the page's counts took. This is what "about N is
// within the stated error" is checked against (docs/benchmarks.md, "Honest counts").
public static class CountAccuracy
{
    public static IEnumerable<(string Name, QueueView View)> MoreViews(string surname)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        yield return ("category news", new QueueView { Category = "news" });
        yield return ("quality 40-90", new QueueView { QualityMin = 40, QualityMax = 90 });
        yield return ("quality 95-100", new QueueView { QualityMin = 95, QualityMax = 100 });
        yield return ("published 2024", new QueueView { From = new DateOnly(2024, 1, 1), To = new DateOnly(2024, 12, 31) });
        yield return ("received today", new QueueView { ReceivedFrom = today, ReceivedTo = today });
        yield return ("received before today", new QueueView { ReceivedTo = today.AddDays(-1) });
        yield return ("topic AI", new QueueView { Topic = ["AI"] });
        yield return ("undecided links", new QueueView { Undecided = true });
        yield return ("category news, quality 40-90", new QueueView { Category = "news", QualityMin = 40, QualityMax = 90 });
        yield return ($"search \"{surname} market\"", new QueueView { Q = surname + " market" });
        yield return ("search \"cafe\"", new QueueView { Q = "cafe" });
    }

    public static async Task PrintAsync(IServiceProvider services, IReadOnlyList<(string Name, QueueView View)> views, CancellationToken ct)
    {
        Console.WriteLine("| view | trusted kinds | planner estimate | exact total | estimate error | per state: shown / exact | counts ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---|---:|");
        foreach (var (name, view) in views)
        {
            using var scope = services.CreateScope();
            var queue = scope.ServiceProvider.GetRequiredService<QueueQuery>();
            var db = scope.ServiceProvider.GetRequiredService<Cms.Data.CmsDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            var clock = Stopwatch.StartNew();
            var shown = await queue.CountsAsync(view, ct);
            var ms = clock.Elapsed.TotalMilliseconds;
            var filtered = await queue.FilterAsync(view, ct);
            var (_, estimate) = await QueueCounts.PlanAsync(db, QueueCounts.Capped(filtered), ct);
            var exact = await filtered.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            var total = exact.Values.Sum();
            var states = string.Join("; ", Enum.GetValues<WorkflowState>().Select(s => $"{s} {shown[s].Label} / {exact.GetValueOrDefault(s):N0}"));
            var error = total == 0 ? (estimate == 0 ? "0%" : "n/a") : $"{(estimate - total) / total:+0.0%;-0.0%}";
            Console.WriteLine(FormattableString.Invariant(
                $"| {name} | {(view.EstimateIsTrusted() ? "yes" : "no")} | {estimate:N0} | {total:N0} | {error} | {states} | {ms:F0} |"));
        }
    }
}
