using Cms.Application.Queue;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// Records the SQL round trips of the queue's requests (RequestCommands).
// Statements only: a physical connection the page opens because a background loop holds the pool's
// idle one at that moment is not counted (it was, as "CONNECT <db>", and failed a run now and then).
public sealed class QueueSqlFixture : AppFixture
{
    private readonly RequestCommands _commands = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Publishing:Worker"] = "false" };

    // The commands of one request, made after the warm-up request (compiled queries, the session's
    // first touch) so only the page's steady work is counted.
    public async Task<List<string>> CommandsOfAsync(HttpClient client, string url)
    {
        using var listening = _commands.Listen(ConnectionString);
        (await client.GetAsync(url)).EnsureSuccessStatusCode();
        _commands.Commands.Clear();
        var html = await client.GetStringAsync(url);
        Assert.Contains("Review queue", html);
        return [.. _commands.Commands];
    }

    // The commands of work run here as if it were a request, after one warm-up run as above.
    public async Task<List<string>> CommandsOfAsync(Func<Task> work)
    {
        using var listening = _commands.Listen(ConnectionString);
        await work();
        _commands.Commands.Clear();
        using (RequestCommands.Replay.StartActivity("replay"))
        {
            await work();
        }
        return [.. _commands.Commands];
    }
}

// Round trips per queue page: each costs a few hundred microseconds of latency and planning at a
// million items under 8 clients (docs/benchmarks.md, "Queue at 1M, 8 clients"), so the page's
// reads travel together and the counts of several saved views share one read of the totals.
public sealed class QueueRoundTripTests(QueueSqlFixture app) : WebTest(app), IClassFixture<QueueSqlFixture>
{
    private readonly string _tag = Unique.Tag();

    private static string Listing(List<string> commands) => string.Join("\n----\n", commands);

    // The session, one statement with the lists, the state totals, the person's saved views and the
    // layout's unread count, and the page of rows: nine round trips at first (each list, the totals
    // and the newest id on their own, the saved views read twice), five after the lists were folded
    // together, three since the saved views and the unread count travel with them.
    [Fact]
    public async Task The_default_queue_page_makes_three_round_trips()
    {
        await ImportAsync(new TestItem { Title = "Round trip " + _tag, Category = "news", Topics = ["AI"] });
        var editor = await SignedInAsync(Roles.Editor);

        var commands = await app.CommandsOfAsync(editor, "/");

        Assert.True(commands.Count <= 3, $"{commands.Count} round trips:\n{Listing(commands)}");
    }

    // A topic filter's ids come back with the lists: the session, the lists, the counts' estimate
    // and capped read, and the page of rows (the topic's id was a round trip of its own before).
    [Fact]
    public async Task A_topic_filter_reads_its_topic_ids_in_the_statement_of_lists()
    {
        await ImportAsync(new TestItem { Title = "Topic round trip " + _tag, Category = "news", Topics = ["AI"], Quality = 50 });
        var editor = await SignedInAsync(Roles.Editor);

        var commands = await app.CommandsOfAsync(editor, "/?View.Category=news&View.QualityMin=40&View.QualityMax=90&View.Topic=AI");

        Assert.True(commands.Count <= 5, $"{commands.Count} round trips:\n{Listing(commands)}");
        var topicReads = commands.Where(c => c.Contains("FROM topics") && c.Contains("normalized_name")).ToList();
        Assert.True(topicReads.Count == 1 && topicReads[0].Contains("FROM categories"), Listing(commands));
    }

    // Each saved view's count needs the state totals and its topics' ids: read once for the page
    // and all its views, not once per view (and per step of a view's count).
    [Fact]
    public async Task Saved_views_share_the_pages_read_of_the_state_totals_and_of_each_topic()
    {
        await ImportAsync(new TestItem { Title = "Saved round trip " + _tag, Category = "desk" + _tag, Topics = ["AI"] });
        var editor = await SignedInAsync(Roles.Editor);
        string[] views = ["/?View.State=Ready", $"/?View.Category=desk{_tag}", "/?View.Topic=AI", "/?View.Topic=AI&View.QualityMin=10"];
        foreach (var (url, n) in views.Select((u, n) => (u, n)))
        {
            var saved = await Http.PostFormAsync(editor, url, new Dictionary<string, string> { ["SaveView.Name"] = $"View {n} {_tag}", ["SaveView.SharedWith"] = "" }, url + "&handler=SaveView");
            Assert.Equal(System.Net.HttpStatusCode.Redirect, saved.StatusCode);
        }

        var commands = await app.CommandsOfAsync(editor, "/?View.Topic=AI");

        Assert.Equal(views.Length, Html.Parse(await editor.GetStringAsync("/")).QuerySelectorAll("#saved-views .saved-view-count").Length);
        Assert.True(commands.Count(c => c.Contains("item_state_counts")) == 1, Listing(commands));
        Assert.True(commands.Count(c => c.Contains("FROM topics") && c.Contains("normalized_name")) == 1, Listing(commands));
    }

    // `./cms bench queue` divides the page's time by its own SQL's (tools/Cms.Bench/QueuePageSql):
    // that baseline sends the very statements of the page, in its order. Before 2026-12-06 it was
    // the counts and the rows only: for the default view the state totals and the rows, without
    // the session and the page's statement of lists.
    [Theory]
    [InlineData("/")]
    [InlineData("/?View.Category=news&View.QualityMin=40&View.QualityMax=90&View.Topic=AI")]
    public async Task The_benchmarks_SQL_baseline_sends_exactly_the_statements_of_the_page(string url)
    {
        await ImportAsync(new TestItem { Title = "Baseline " + _tag, Category = "news", Topics = ["AI"], Quality = 50 });
        var email = $"baseline-{_tag}@example.com";
        await app.Factory.CreateUserAsync(email, AppFixture.Password, Roles.Editor);
        var editor = app.Factory.Browser();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await Http.SignInAsync(editor, email, AppFixture.Password)).StatusCode);
        var view = url == "/" ? new QueueView() : new QueueView { Category = "news", QualityMin = 40, QualityMax = 90, Topic = ["AI"] };

        var page = await app.CommandsOfAsync(editor, url);
        var session = await Cms.Bench.QueuePageSql.SessionOfAsync(app.Factory.Services, email, default);
        var actor = await Cms.Bench.QueuePageSql.ActorOfAsync(app.Factory.Services, session, default);
        var baseline = await app.CommandsOfAsync(() => Cms.Bench.QueuePageSql.RunAsync(app.Factory.Services, session, actor, view, default));

        Assert.True(page.Count >= 3, Listing(page));
        Assert.True(page.SequenceEqual(baseline), $"the page:\n{Listing(page)}\n======== the baseline:\n{Listing(baseline)}");
    }
}
