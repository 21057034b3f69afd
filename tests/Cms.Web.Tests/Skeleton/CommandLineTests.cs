using System.Diagnostics;
using System.Net.Sockets;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

// A typo or a command that does not exist yet must say so and start nothing.
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("nonsense")]
    [InlineData("imprt")]
    [InlineData("publish", "now")]
    public async Task An_unknown_command_prints_the_usage_exits_2_and_starts_nothing(params string[] args)
    {
        var port = LocalPorts.Free();
        var dataDir = Path.Combine("/var/tmp", "cms-unknown-" + Guid.NewGuid().ToString("N")[..8]);

        var (exit, _, errors) = await Repo.RunCmsAsync(new Dictionary<string, string?>
        {
            ["CMS_URLS"] = $"http://127.0.0.1:{port}",
            ["CMS_DATA_DIR"] = dataDir,
            ["CMS_PG_PORT"] = LocalPorts.Free().ToString(),
        }, args);

        Assert.Equal(2, exit);
        Assert.Contains("usage:", errors);
        Assert.False(Directory.Exists(dataDir), "no database cluster was created");
        Assert.False(await ListensAsync(port), "nothing serves on the configured port");
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("audit", "rewrite")]
    [InlineData("--urls", "http://127.0.0.1:1")]
    public async Task The_application_itself_refuses_an_unknown_command_without_serving(params string[] args)
    {
        var port = LocalPorts.Free();
        var (exit, errors) = await RunAppAsync(port, args);

        Assert.Equal(2, exit);
        Assert.Contains("Usage:", errors);
        Assert.False(await ListensAsync(port));
    }

    [Theory]
    [InlineData("sites", "rotate", "news-site", "--overlap-hours", "NaN")]
    [InlineData("sites", "rotate", "news-site", "--overlap-hours", "1e20")]
    [InlineData("webhooks", "rotate-secret", "1", "--overlap-hours", "-1")]
    [InlineData("sites", "rotate", "news-site", "--overlap-hours", "abc")]
    public async Task An_overlap_that_is_not_a_number_of_hours_within_the_limit_is_a_usage_error_not_a_crash(params string[] args)
    {
        var (exit, errors) = await RunAppAsync(LocalPorts.Free(), args);

        Assert.NotEqual(0, exit);
        Assert.Contains("--overlap-hours: a number of hours from 0 to 720", errors);
        Assert.DoesNotContain("Unhandled exception", errors);
    }

    // The machine's locale changes neither the command line's language nor how it reads a number.
    [Fact]
    public async Task Under_a_russian_locale_the_command_line_still_reads_NaN_and_answers_in_english()
    {
        var (exit, errors) = await RunAppAsync(LocalPorts.Free(), ["nonsense"], ("LANG", "ru_RU.UTF-8"), ("LC_ALL", "ru_RU.UTF-8"));
        var (overlapExit, overlapErrors) = await RunAppAsync(LocalPorts.Free(), ["sites", "rotate", "news-site", "--overlap-hours", "NaN"], ("LANG", "ru_RU.UTF-8"), ("LC_ALL", "ru_RU.UTF-8"));

        Assert.Equal(2, exit);
        Assert.Contains("Usage:", errors);
        Assert.NotEqual(0, overlapExit);
        Assert.Contains("--overlap-hours: a number of hours from 0 to 720", overlapErrors);
        Assert.DoesNotContain("Unhandled exception", overlapErrors);
    }

    // The built application itself, without ./cms, against a database that is not there.
    private static async Task<(int Exit, string Errors)> RunAppAsync(int port, string[] args, params (string Name, string Value)[] environment)
    {
        var dll = Path.Combine(Repo.Root, "src", "Cms.Web", "bin", Repo.Configuration, "net10.0", "Cms.Web.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Cms"] = "Host=127.0.0.1;Port=1;Database=none";
        // As Repo.Cms: no inotify watchers, should the host get as far as building.
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        start.Environment["DOTNET_USE_POLLING_FILE_WATCHER"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await Repo.ExitedAsync(process, TimeSpan.FromMinutes(3), "Cms.Web " + string.Join(' ', args));
        await stdout;
        return (process.ExitCode, await stderr);
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
