using System.Diagnostics;
using System.Text.RegularExpressions;
using Cms.Bench;
using YamlDotNet.RepresentationModel;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

// `./cms import` runs with tiered compilation but without dynamic PGO, and compiles methods that
// loop optimized at once (a sixth less CPU than either the default or no tiering for a
// 100,000-file import, IMPORT12); the web host and the other commands keep the runtime's default.
// The web host runs with a 64 MiB gen0 budget (fewer GC pauses in the queue page's tail), the
// commands with 32 MiB (the import's memory bound).
public sealed class RuntimeSettingsTests
{
    // What the script hands the .NET process: a stand-in `dotnet` first on PATH prints it.
    private static async Task<string> EnvironmentOfAsync(string command, Dictionary<string, string?> extra)
    {
        var bin = Directory.CreateTempSubdirectory("cms-fake-dotnet-").FullName;
        try
        {
            var fake = Path.Combine(bin, "dotnet");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho \"TieredCompilation=${DOTNET_TieredCompilation-unset} TieredPGO=${DOTNET_TieredPGO-unset} QuickJitForLoops=${DOTNET_TC_QuickJitForLoops-unset} GCgen0size=${DOTNET_GCgen0size-unset}\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var env = new Dictionary<string, string?>(extra)
            {
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
                // Names a database, so the script starts no cluster (nothing is reached: dotnet is fake).
                ["ConnectionStrings__Cms"] = "Host=127.0.0.1;Port=1;Database=none;Username=nobody",
            };
            var start = Repo.Cms(env, command, bin);
            start.Environment.Remove("DOTNET_TieredCompilation");
            start.Environment.Remove("DOTNET_TieredPGO");
            start.Environment.Remove("DOTNET_TC_QuickJitForLoops");
            start.Environment.Remove("DOTNET_GCgen0size");
            foreach (var (key, value) in extra)
            {
                start.Environment[key] = value;
            }
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await Repo.ExitedAsync(process, TimeSpan.FromMinutes(1), "./cms " + command);
            return output;
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task Import_runs_tiered_without_dynamic_pgo_and_loops_optimized_at_once_unless_the_caller_asks_otherwise()
    {
        Assert.Contains("TieredCompilation=unset TieredPGO=0 QuickJitForLoops=0", await EnvironmentOfAsync("import", []));
        Assert.Contains("TieredCompilation=unset TieredPGO=1 QuickJitForLoops=1",
            await EnvironmentOfAsync("import", new() { ["DOTNET_TieredPGO"] = "1", ["DOTNET_TC_QuickJitForLoops"] = "1" }));
        // Other commands keep the runtime's default.
        Assert.Contains("TieredCompilation=unset TieredPGO=unset QuickJitForLoops=unset", await EnvironmentOfAsync("export", []));
    }

    [Fact]
    public async Task The_web_host_runs_with_a_64_MiB_gen0_budget_unless_the_caller_sets_one()
    {
        Assert.Contains("GCgen0size=0x4000000", await EnvironmentOfAsync("run", []));
        Assert.Contains("GCgen0size=0x1000000", await EnvironmentOfAsync("run", new() { ["DOTNET_GCgen0size"] = "0x1000000" }));
        // The commands keep their own smaller budget.
        Assert.Contains("GCgen0size=0x2000000", await EnvironmentOfAsync("import", []));
    }

    // The runtime reads the budget only from its environment, so the value is written where each
    // way of starting the web host sets it: the script, the Dockerfile and the bench's app process.
    [Fact]
    public void The_Dockerfile_and_the_benchmarks_app_process_give_the_web_host_the_scripts_gen0_budget()
    {
        var script = Regex.Match(File.ReadAllText(Path.Combine(Repo.Root, "cms")), @"(?m)^WEB_GEN0_BUDGET=(\S+)$");
        var docker = Regex.Match(File.ReadAllText(Path.Combine(Repo.Root, "Dockerfile")), @"DOTNET_GCgen0size=(\S+)");
        Assert.True(script.Success, "the cms script sets WEB_GEN0_BUDGET");
        Assert.True(docker.Success, "the Dockerfile sets DOTNET_GCgen0size");
        Assert.Equal(script.Groups[1].Value, docker.Groups[1].Value);
        Assert.Equal(AppProcess.WebGen0Budget, script.Groups[1].Value);
    }

    // The image gives every process the web host's budget; the compose file's one-shot command takes
    // the commands' settings instead (a 100,000-file import under the web host's peaked at 604 MiB).
    [Fact]
    public void Compose_runs_migrate_with_the_commands_gc_settings_not_the_images_web_host_budget()
    {
        var script = Regex.Match(File.ReadAllText(Path.Combine(Repo.Root, "cms")), @"(?m)^COMMAND_GEN0_BUDGET=(\S+)$");
        Assert.True(script.Success, "the cms script sets COMMAND_GEN0_BUDGET");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repo.Root, "docker-compose.yml"))));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var migrate = (YamlMappingNode)((YamlMappingNode)services["migrate"])["environment"];
        Assert.Equal("0", migrate["DOTNET_gcServer"].ToString());
        Assert.Equal(script.Groups[1].Value, migrate["DOTNET_GCgen0size"].ToString());
    }
}
