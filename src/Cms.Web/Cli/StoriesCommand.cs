using System.CommandLine;
using Cms.Application.Stories;

namespace Cms.Web.Cli;

// `./cms stories --format tsv`: one line per item in the queue, "file name<TAB>story id".
public static class StoriesCommand
{
    public static Command Build()
    {
        var format = new Option<string>("--format") { Description = "Output format (tsv: file name, a tab, the story id)", DefaultValueFactory = _ => "tsv" };
        format.AcceptOnlyFromAmong("tsv");
        var command = new Command("stories", "List the items in the queue with their story, one per line, grouped by story.") { format };
        command.SetAction(async (_, ct) =>
        {
            using var host = CliHost.Build();
            using var scope = host.Services.CreateScope();
            var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = false };
            await using (output)
            {
                await foreach (var line in scope.ServiceProvider.GetRequiredService<StoryList>().QueueAsync(ct))
                {
                    await output.WriteAsync(StoryList.Tsv(line) + "\n");
                }
            }
            return CmsCli.Ok;
        });
        return command;
    }
}
