using System.CommandLine;

namespace Cms.Web.Cli;

public static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "Benchmarks that print figures.");
        bench.Add(ImportBench.Command());
        bench.Add(QueueBench.Command());
        return bench;
    }
}
