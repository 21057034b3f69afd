using System.CommandLine;
using System.Text.Json;
using Cms.Core.Items;
using Cms.Application;
using Cms.Application.Exporting;
using Cms.Application.Importing;
using Spectre.Console;

namespace Cms.Web.Cli;

public static class ImportCommands
{
    public static Command Import()
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Files and folders (recursive: .txt .md .yaml .yml)" };
        var reportFile = new Option<FileInfo?>("--report") { Description = "Also write the report as JSON to this file." };
        var command = new Command("import", "Import item files.") { paths, reportFile };
        command.SetAction(async (parse, ct) =>
        {
            var inputs = parse.GetRequiredValue(paths);
            foreach (var path in inputs.Where(p => !File.Exists(p) && !Directory.Exists(p)))
            {
                Console.Error.WriteLine($"{path}: no such file or folder");
                return CmsCli.UsageOrInfrastructure;
            }
            using var host = CliHost.Build();
            using var scope = host.Services.CreateScope();
            var importer = scope.ServiceProvider.GetRequiredService<ItemImporter>();
            var outcome = await RunWithProgressAsync(p => importer.ImportAsync(Actor.CommandLine(), inputs, p, ct));
            if (!outcome.Succeeded)
            {
                return CmsCli.Report(outcome.Result);
            }
            var report = outcome.Value!;
            foreach (var problem in report.Problems)
            {
                Console.WriteLine(problem);
            }
            if (report.ProblemsOmitted > 0)
            {
                Console.WriteLine($"... and {report.ProblemsOmitted} more refused files, not listed (Import__MaxReportedProblems)");
            }
            if (report.Revisions > 0)
            {
                Console.WriteLine($"kept {report.Revisions} changed sources as pending revisions: editors had worked on those items");
            }
            Console.WriteLine(report.Summary);
            if (parse.GetValue(reportFile) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(new
                {
                    imported = report.Imported,
                    updated = report.Updated,
                    unchanged = report.Unchanged,
                    rejected = report.Rejected,
                    revisions = report.Revisions,
                    problems = report.Problems.Select(p => new { path = p.Path, reason = p.Reason }),
                    problemsOmitted = report.ProblemsOmitted,
                }, new JsonSerializerOptions { WriteIndented = true }), ct);
            }
            return report.Rejected > 0 ? CmsCli.Refused : CmsCli.Ok;
        });
        return command;
    }

    // A live status line on a terminal; nothing extra when output is redirected.
    private static async Task<Outcome<ImportReport>> RunWithProgressAsync(Func<IProgress<ImportReport>?, Task<Outcome<ImportReport>>> run)
    {
        if (Console.IsOutputRedirected)
        {
            return await run(null);
        }
        return await AnsiConsole.Status().StartAsync("importing", async ctx =>
        {
            var progress = new Progress<ImportReport>(r => ctx.Status($"{r.Seen} files: {r.Summary}"));
            return await run(progress);
        });
    }

    public static Command Export()
    {
        var dir = new Argument<DirectoryInfo>("dir");
        var state = new Option<string>("--state") { Description = "all, or one workflow state", DefaultValueFactory = _ => "all" };
        state.AcceptOnlyFromAmong(["all", .. Enum.GetNames<WorkflowState>().Select(n => n.ToLowerInvariant())]);
        var command = new Command("export", "Write items out as front-matter files.") { dir, state };
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetRequiredValue(state);
            WorkflowState? filter = wanted == "all" ? null : Enum.Parse<WorkflowState>(wanted, ignoreCase: true);
            using var host = CliHost.Build();
            using var scope = host.Services.CreateScope();
            var exporter = scope.ServiceProvider.GetRequiredService<ItemExporter>();
            var report = await exporter.ExportAsync(parse.GetRequiredValue(dir).FullName, filter, ct);
            foreach (var refused in report.Refused)
            {
                Console.Error.WriteLine(refused);
            }
            Console.WriteLine($"exported {report.Written}, refused {report.Refused.Count}");
            // As for import: 3 when some items could not be written, the others were.
            return report.Refused.Count > 0 ? CmsCli.Refused : CmsCli.Ok;
        });
        return command;
    }
}
