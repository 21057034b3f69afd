using System.Diagnostics;
using System.Net;
using Cms.Testing;

namespace Cms.Bench;

// The web app as production runs it: its own process (`dotnet Cms.Web.dll --urls=...`, the same
// host start a container uses), with its own GC heaps and thread pool. Hosted inside the benchmark
// process, the app shared them with the 8 HTTP clients and the SQL baseline, and the same page read
// 1.7x slower at p95 than a separate process serving the same requests in the same run.
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly string _gcSocket;

    private AppProcess(Process process, Uri address, string gcSocket)
    {
        _process = process;
        Address = address;
        _gcSocket = gcSocket;
    }

    public const string WebGen0Budget = "0x4000000";

    public Uri Address { get; }

    public int Id => _process.Id;

    public static async Task<AppProcess> StartAsync(string connectionString, IEnumerable<string> settings, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Cms.Web.dll");
        var port = LocalPorts.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root is the web project, where wwwroot lives (./cms bench runs from there).
            WorkingDirectory = Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The GC's counters from inside the app (AppGc): this assembly as a startup hook, in the app's
        // process only.
        var gcSocket = Path.Combine(Path.GetTempPath(), $"cms-bench-gc-{Environment.ProcessId}-{port}.sock");
        File.Delete(gcSocket);
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(AppGc).Assembly.Location;
        start.Environment[AppGc.SocketVariable] = gcSocket;
        // The app as `./cms run` and the Dockerfile start it: a 64 MiB gen0 budget (an environment
        // variable only; CMS_BENCH_APP_ENV="DOTNET_GCgen0size=0" measures the runtime's default).
        start.Environment["DOTNET_GCgen0size"] = WebGen0Budget;
        // Runtime settings for the app's process alone (CMS_BENCH_APP_ENV="DOTNET_GCgen0size=0x4000000;..."),
        // so an A/B of a GC or thread-pool variable leaves the clients and the SQL baseline as they are.
        foreach (var pair in (Environment.GetEnvironmentVariable("CMS_BENCH_APP_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = (pair[..Math.Max(0, pair.IndexOf('='))], pair[(pair.IndexOf('=') + 1)..]);
            if (name.Length == 0)
            {
                throw new ArgumentException($"CMS_BENCH_APP_ENV: '{pair}' is not NAME=VALUE");
            }
            start.Environment[name] = value;
        }
        foreach (var arg in new[] { dll, $"--urls=http://127.0.0.1:{port}", $"--ConnectionStrings:Cms={connectionString}", "--Publishing:Worker=false" }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the app");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}"), gcSocket);
        using var probe = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                break;
            }
            try
            {
                if ((await probe.GetAsync("/healthz", ct)).StatusCode == HttpStatusCode.OK)
                {
                    return app;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200, ct);
        }
        await app.DisposeAsync();
        lock (output)
        {
            throw new InvalidOperationException($"the app did not answer /healthz:{Environment.NewLine}{output}");
        }
    }

    // VmHWM of the app process; ResetPeakRss starts the window.
    public double PeakRssMiB() => BenchSupport.PeakRssMiB(Id);

    public void ResetPeakRss() => BenchSupport.ResetPeakRss(Id);

    // The app's GC counters now (AppGc), and the GC it runs with.
    public Task<AppGc> GcAsync(CancellationToken ct) => AppGc.ReadAsync(_gcSocket, ct);

    public Task<string> GcSettingsAsync(CancellationToken ct) => AppGc.AskAsync(_gcSocket, settings: true, ct);

    // The GC's pauses since the last call.
    public Task<IReadOnlyList<(DateTime Start, DateTime End)>> GcPausesAsync(CancellationToken ct) => AppGc.PausesAsync(_gcSocket, ct);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        File.Delete(_gcSocket);
    }
}
