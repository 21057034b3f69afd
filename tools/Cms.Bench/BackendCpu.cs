using System.Globalization;

namespace Cms.Bench;

// CPU seconds of the PostgreSQL backends serving one database, when the server runs on this
// machine (read from /proc; nothing elsewhere): each backend's whole life, sampled every 250 ms
// while a piece of work runs and once more at its end. On a machine whose cores are all busy what
// a feature adds is CPU, wherever it runs, and a backend of its own (a second connection) is where
// part of it goes. Background processes (WAL writer, checkpointer) are not counted.
internal sealed class BackendCpu : IAsyncDisposable
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on Linux
    private readonly string _tag;
    private readonly Dictionary<int, double> _seconds = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public BackendCpu(string database)
    {
        // A backend's command line: "postgres: USER DATABASE HOST(PORT) STATE".
        _tag = $" {database} ";
        _sampling = Directory.Exists("/proc") ? Task.Run(SampleAsync) : Task.CompletedTask;
    }

    // Each backend's seconds, the busiest first; empty when /proc could not be read.
    public async Task<IReadOnlyList<double>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        lock (_seconds)
        {
            return _seconds.Values.OrderDescending().ToList();
        }
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Sample();
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        Sample();
    }

    private void Sample()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (!command.StartsWith("postgres:", StringComparison.Ordinal) || !command.Contains(_tag, StringComparison.Ordinal))
                {
                    continue;
                }
                // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var seconds = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                lock (_seconds)
                {
                    _seconds[pid] = Math.Max(seconds, _seconds.GetValueOrDefault(pid));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended between the listing and the read.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
