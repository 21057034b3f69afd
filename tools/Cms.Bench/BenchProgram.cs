using System.CommandLine;

namespace Cms.Bench;

// `./cms bench import|queue|publish|delivery|writes|history|live|stories|excerpts ...`: benchmarks live outside the product and print figures.
public static class BenchProgram
{
    public const int Ok = 0;
    public const int Usage = 2;

    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Cms benchmarks") { ImportBench.Command(), QueueBench.Command(), PublishBench.Command(), DeliveryBench.Command(), WritesBench.Command(), HistoryBench.Command(), LiveBench.Command(), StoryBench.Command(), ExcerptBench.Command(), ExcerptShapeBench.Command() };
        var parse = root.Parse(args);
        if (args.Length == 0 || parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }
            await root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = Console.Error });
            return Usage;
        }
        return await parse.InvokeAsync();
    }
}
