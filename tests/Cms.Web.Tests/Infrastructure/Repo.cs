using System.Diagnostics;

namespace Cms.Web.Tests.Infrastructure;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    // The configuration these tests were built in, so ./cms reuses that build instead of building again.
    public static string Configuration => AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("CMS_REPO_ROOT") is { Length: > 0 } root)
        {
            return root;
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cms.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Cms.sln not found above " + AppContext.BaseDirectory);
    }

    // Runs ./cms with a controlled environment: nothing inherited that selects a database.
    public static ProcessStartInfo Cms(IDictionary<string, string?> env, params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Root, "cms"), .. args])
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("ConnectionStrings__Cms");
        start.Environment.Remove("CMS_DATA_DIR");
        start.Environment.Remove("CMS_ADMIN_EMAIL");
        start.Environment.Remove("CMS_ADMIN_PASSWORD");
        start.Environment["CMS_SKIP_BUILD"] = "1";
        // Audit anchors (one file per database) go to a temporary folder, not the checkout's .data.
        start.Environment["Audit__AnchorFolder"] = Path.Combine(Path.GetTempPath(), "cms-test-anchors");
        // As in CmsFactory: no inotify watchers (a shared, per-user limit of the machine).
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        start.Environment["DOTNET_USE_POLLING_FILE_WATCHER"] = "true";
        start.Environment["CMS_CONFIGURATION"] = Configuration;
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }
        return start;
    }

    // Output is standard output only; Errors is standard error (where ./cms itself reports).
    public static Task<(int ExitCode, string Output, string Errors)> RunCmsAsync(IDictionary<string, string?> env, params string[] args) =>
        RunCmsWithInputAsync(env, null, args);

    // The same, with a line on standard input (e.g. --password-stdin).
    public static async Task<(int ExitCode, string Output, string Errors)> RunCmsWithInputAsync(IDictionary<string, string?> env, string? input, params string[] args)
    {
        var start = Cms(env, args);
        start.RedirectStandardInput = input is not null;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await ExitedAsync(process, TimeSpan.FromMinutes(5), "./cms " + string.Join(' ', args));
        return (process.ExitCode, await stdout, await stderr);
    }

    // Waits for a process a test started. The limit is only a safety net: it ends the process and
    // fails with a clear message instead of a bare cancellation (or a run that never ends).
    public static async Task ExitedAsync(Process process, TimeSpan limit, string what)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"safety net: {what} did not exit within {limit.TotalMinutes:0} minutes");
        }
    }
}
