using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime;
using System.Text;

namespace Cms.Bench;

// The app's own GC counters, read from inside its process: how many collections of each generation,
// how long the runtime paused it and how many bytes it allocated between two readings. The GC's
// pauses stop every request in flight, so they land in the page's latency and never in its SQL
// baseline's (which runs in the bench's process); /proc shows none of this. AppProcess loads this
// assembly into the app as a startup hook (StartupHook below) that answers each connection to a
// Unix socket with one line of counters; the app's code and settings are untouched.
public sealed record AppGc(long Gen0, long Gen1, long Gen2, TimeSpan Paused, long Allocated)
{
    public const string SocketVariable = "CMS_BENCH_GC_SOCKET";

    // Per page since an earlier reading: collections of each generation per 1,000 pages (a gen1
    // collection also collects gen0; each counts once, at its highest generation), pause ms a page,
    // KiB allocated a page.
    public sealed record PerPage(double Gen0, double Gen1, double Gen2, double PauseMs, double AllocatedKiB)
    {
        // The share of the measurement's requests a pause fell into, and their p95 less the pauses.
        public double PausedShare { get; init; }

        public double P95LessPauses { get; init; }

        public string Gcs => string.Create(CultureInfo.InvariantCulture, $"{Gen0:F1} / {Gen1:F1} / {Gen2:F1}");
    }

    public PerPage Since(AppGc start, int pages)
    {
        double Per1000(long later, long earlier) => (later - earlier) * 1000.0 / pages;
        // CollectionCount(n) counts every collection of generation n or higher.
        return new(
            Per1000(Gen0 - Gen1, start.Gen0 - start.Gen1),
            Per1000(Gen1 - Gen2, start.Gen1 - start.Gen2),
            Per1000(Gen2, start.Gen2),
            (Paused - start.Paused).TotalMilliseconds / pages,
            (Allocated - start.Allocated) / 1024.0 / pages);
    }

    internal static string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetTotalPauseDuration().Ticks} {GC.GetTotalAllocatedBytes(false)}");

    // The GC the app runs with, as the runtime took its settings (runtimeconfig and DOTNET_ variables).
    internal static string Settings()
    {
        string[] shown = ["Server", "Concurrent", "HeapCount", "gen0", "Gen0", "Dynamic", "Conserve", "RetainVM"];
        var chosen = GC.GetConfigurationVariables()
            .Where(v => shown.Any(s => v.Key.Contains(s, StringComparison.Ordinal)))
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{v.Key}={Convert.ToString(v.Value, CultureInfo.InvariantCulture)}");
        return $"{(GCSettings.IsServerGC ? "Server" : "Workstation")} GC; {string.Join(", ", chosen)}";
    }

    // When the runtime stopped the app for a collection (from suspending it to resuming it), from the
    // runtime's own events in the app's process: which requests a pause fell into. Each reading takes
    // the pauses since the last, as "start end" pairs of UTC ticks.
    internal sealed class Pauses : EventListener
    {
        private readonly List<(long Start, long End)> _taken = [];
        private long _suspended;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal) == true)
            {
                _suspended = e.TimeStamp.ToUniversalTime().Ticks;
            }
            else if (e.EventName?.StartsWith("GCRestartEEEnd", StringComparison.Ordinal) == true && _suspended != 0)
            {
                lock (_taken)
                {
                    _taken.Add((_suspended, e.TimeStamp.ToUniversalTime().Ticks));
                }
                _suspended = 0;
            }
        }

        public string Take()
        {
            lock (_taken)
            {
                var text = string.Join('\n', _taken.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Start} {p.End}")));
                _taken.Clear();
                return text;
            }
        }
    }

    public static async Task<IReadOnlyList<(DateTime Start, DateTime End)>> PausesAsync(string socket, CancellationToken ct) =>
        [.. (await AskAsync(socket, settings: false, ct, 'p')).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ').Select(t => new DateTime(long.Parse(t, CultureInfo.InvariantCulture), DateTimeKind.Utc)).ToArray())
            .Select(t => (t[0], t[1]))];

    // One connection, one line: the counters, or with "settings" first the GC's settings.
    public static async Task<string> AskAsync(string socket, bool settings, CancellationToken ct, char? what = null)
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
        await client.SendAsync(new[] { (byte)(what ?? (settings ? 's' : 'c')) }, ct);
        using var reader = new StreamReader(new NetworkStream(client, ownsSocket: false), Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    public static async Task<AppGc> ReadAsync(string socket, CancellationToken ct)
    {
        var f = (await AskAsync(socket, settings: false, ct)).Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new(f[0], f[1], f[2], TimeSpan.FromTicks(f[3]), f[4]);
    }
}
