using System.CommandLine;
using Cms.Application;
using Cms.Application.Items;
using Cms.Core.Items;

namespace Cms.Web.Cli;

// `./cms items publish|correct|withdraw|schedule`: the workflow moves from the shell, through the
// same ItemTransitions and PublishSchedule as the pages (same rules: four-eyes, pending source
// revisions, reasons), with cli:<os user> as the actor. Each refused item is named with its reason.
public static class ItemsCommands
{
    public static Command Build()
    {
        var items = new Command("items", "Workflow moves on items.");
        items.Add(Move("publish", "Publish Ready items.", WorkflowAction.Publish));
        items.Add(Move("correct", "Publish a correction of Published items (reason required).", WorkflowAction.Correct));
        items.Add(Move("withdraw", "Withdraw Published items (reason required).", WorkflowAction.Withdraw));
        items.Add(Schedule());
        var reread = new Command("reread-text", "Re-read every item's stored source under the current text rules (titles, excerpts, URLs shown) and clean stored comments under the comment rule (audited).");
        reread.SetAction(async (_, ct) =>
        {
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<StoredTextReread>().RunAsync(ct));
            var code = CmsCli.Report(outcome.Result);
            // Items left unread (named in the summary): the run finished, but they need someone.
            return code == CmsCli.Ok && outcome.Value!.Unreadable > 0 ? CmsCli.Refused : code;
        });
        items.Add(reread);
        return items;
    }

    private static Command Move(string name, string description, WorkflowAction action)
    {
        var ids = new Argument<long[]>("id") { Arity = ArgumentArity.OneOrMore };
        var reason = new Option<string?>("--reason") { Description = "Why (required for correct and withdraw)." };
        var command = new Command(name, description) { ids, reason };
        command.SetAction(async (parse, ct) =>
        {
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<ItemTransitions>()
                .HandleManyAsync(Actor.CommandLine(), parse.GetRequiredValue(ids), action, parse.GetValue(reason), ct));
            var code = CmsCli.Report(outcome);
            // Some items refused or not found: the line names them; the exit code says so too.
            return code == CmsCli.Ok && outcome.Message is { } line
                && (line.Contains(" refused", StringComparison.Ordinal) || line.Contains(" not found", StringComparison.Ordinal)) ? CmsCli.Refused : code;
        });
        return command;
    }

    private static Command Schedule()
    {
        var id = new Argument<long>("id");
        var at = new Option<string>("--at") { Description = "When, in UTC: yyyy-MM-ddTHH:mm", Required = true };
        var command = new Command("schedule", "Schedule a Ready item's publication.") { id, at };
        command.SetAction(async (parse, ct) =>
        {
            // The item page's parser: ISO only, so 01/02/2030 is never read as either day.
            if (Infrastructure.Display.ParseUtcMinute(parse.GetRequiredValue(at)) is not { } when)
            {
                Console.Error.WriteLine("--at: not a UTC date and time such as 2030-01-31T08:00");
                return CmsCli.UsageOrInfrastructure;
            }
            return CmsCli.Report(await CliHost.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actor.CommandLine(), parse.GetValue(id), when, ct)));
        });
        return command;
    }
}
