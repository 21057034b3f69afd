using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace Cms.Web.Tests.Infrastructure;

// Records every SQL round trip Npgsql makes on one database while serving a request (a command, or
// a batch of statements sent together, is one entry). Npgsql traces each command it executes (EF's
// and the raw ones alike); only commands inside a request count (the app's background loops, the
// audit sealer and the state-count folding, query the same database at their own moments), and
// only this database's (other test classes run in the same process).
// Npgsql also traces opening a physical connection ("CONNECT <database>", no statement): a request
// opens one only when a background loop happens to hold the pool's idle connection at that moment,
// so it is not the page's work and is never counted; counting it made a page's round trips depend
// on when the state-count folding (every 5 s) or the live heartbeat ran.
public sealed class RequestCommands
{
    public ConcurrentQueue<string> Commands { get; } = new();

    // Stands for a request around work a test runs itself (the queue benchmark's replay of a page's SQL).
    public static readonly ActivitySource Replay = new("Cms.Web.Tests.Replay");

    public IDisposable Listen(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore" || source == Replay,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is string statement
                    && InRequest(activity) && activity.TagObjects.Any(t => t.Value as string == database))
                {
                    Commands.Enqueue(statement);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static bool InRequest(Activity activity)
    {
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.Source.Name == "Microsoft.AspNetCore" || parent.Source == Replay)
            {
                return true;
            }
        }
        return false;
    }
}
