using System.CommandLine;
using Cms.Application;
using Cms.Web.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Screenshots;

// `./cms screenshots [--out DIR] [--samples DIR]...`: the README's pictures, taken again from sample data.
public static class ScreenshotsProgram
{
    public static async Task<int> Main(string[] args)
    {
        var root = Repository.Root();
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder the PNGs are written to (default: docs/screenshots of the checkout)." };
        var samples = new Option<DirectoryInfo[]>("--samples") { Description = "Folders of item files to import (default: samples/ of the checkout).", AllowMultipleArgumentsPerToken = true };
        var width = new Option<int>("--width") { Description = "Viewport width in CSS pixels.", DefaultValueFactory = _ => ScreenshotRun.DefaultWidth };
        var command = new RootCommand("Regenerates the README's screenshots: the app on a free port against a throwaway database, sample data, Chromium.")
        {
            output, samples, width,
        };
        command.SetAction(async (parse, ct) =>
        {
            var folders = parse.GetValue(samples) is { Length: > 0 } given ? given.Select(d => d.FullName).ToList() : [Path.Combine(root, "samples")];
            var missing = folders.Where(f => !Directory.Exists(f)).ToList();
            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"screenshots: no such folder: {string.Join(", ", missing)}");
                return 2;
            }
            var options = new ScreenshotRun.Options(
                ServerConnectionString(),
                folders,
                parse.GetValue(output)?.FullName ?? Path.Combine(root, "docs", "screenshots"),
                Path.Combine(root, "src", "Cms.Web"),
                parse.GetValue(width));
            var written = await ScreenshotRun.RunAsync(options, Console.Out, ct);
            Console.WriteLine($"wrote {written.Count} screenshots to {options.OutputFolder}");
            return 0;
        });
        return await command.Parse(args).InvokeAsync();
    }

    // The server of the configured database, as its owner when one is configured (it creates the
    // throwaway database), as `./cms` selects it.
    private static string ServerConnectionString()
    {
        using var host = CliHost.Build();
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        return CmsApplication.OwnerConnectionString(configuration) ?? CmsApplication.ConnectionString(configuration);
    }
}

public static class Repository
{
    // The checkout: the folder holding Cms.sln above the working folder or this program.
    public static string Root()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Cms.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("run from inside the checkout (no Cms.sln found above " + Environment.CurrentDirectory + ")");
    }
}
