namespace Cms.Bench;

// CPU seconds of the PostgreSQL backends serving one database, when the server runs on this
// machine (read from /proc; nothing elsewhere): each backend's whole life, sampled every 250 ms
// while a piece of work runs and once more at its end. On a machine whose cores are all busy what
// a feature adds is CPU, wherever it runs, and a backend of its own (a second connection) is where
// part of it goes. Background processes (WAL writer, checkpointer) are not counted.
internal sealed class BackendCpu : IAsyncDisposable
{
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
        foreach (var (pid, command) in ProcCpu.Postgres())
        {
            if (!command.StartsWith("postgres:", StringComparison.Ordinal) || !command.Contains(_tag, StringComparison.Ordinal)
                || ProcCpu.Ticks(pid) is not { } ticks)
            {
                continue;
            }
            lock (_seconds)
            {
                _seconds[pid] = Math.Max(ticks / ProcCpu.TicksPerSecond, _seconds.GetValueOrDefault(pid));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
