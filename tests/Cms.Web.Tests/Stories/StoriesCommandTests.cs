using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Stories;

// `./cms stories --format tsv` as an operator runs it: the grouping checked from outside.
public sealed class StoriesCommandTests : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_database);

    private Dictionary<string, string?> Env => new() { ["ConnectionStrings__Cms"] = _database };

    private static string Item(string title, string excerpt, string domain, string at, bool published = false) => $"""
        ---
        title: "{title}"
        excerpt: "{excerpt}"
        publishedDateTime: {at}
        originalUrl: "https://{domain}/{Guid.NewGuid():N}"
        published: {(published ? "true" : "false")}
        provider:
          name: {domain}
          domain: {domain}
        ---

        """;

    [Fact]
    public async Task Every_queue_item_gets_one_line_with_its_story_and_two_tellings_of_one_story_share_it()
    {
        using var corpus = new Corpus();
        corpus.Write("001_turkey.txt", Item("Central bank of Turkey raises key rate to 45%",
            "The central bank of Turkey raised its benchmark interest rate to 45% on Thursday. Policymakers in Turkey said inflation remained too high.", "reuters.com", "2024-03-07T10:00:00Z"));
        corpus.Write("002_turkey.txt", Item("Turkey lifts benchmark interest rate to 45% to fight inflation",
            "Policymakers in Turkey took borrowing costs to 45%, the central bank of Turkey said on Thursday, as inflation stayed high.", "bbc.co.uk", "2024-03-07T13:30:00Z"));
        corpus.Write("003_egypt.txt", Item("Central bank of Egypt raises key rate to 27%",
            "The central bank of Egypt raised its benchmark interest rate to 27% on Thursday. Policymakers in Egypt said inflation remained too high.", "ft.com", "2024-03-07T11:00:00Z"));
        corpus.Write("004_published.txt", Item("Nvidia unveils its new AI chip", "Nvidia showed the chip in California.", "theverge.com", "2024-03-07T09:00:00Z", published: true));
        var (imported, _, importErrors) = await Repo.RunCmsAsync(Env, "import", corpus.Dir);
        Assert.True(imported == 0, importErrors);

        var (exit, output, errors) = await Repo.RunCmsAsync(Env, "stories", "--format", "tsv");

        Assert.True(exit == 0, errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.All(lines, l => Assert.Equal(2, l.Length));
        var story = lines.ToDictionary(l => l[0], l => long.Parse(l[1]));
        // The published item is not in the queue; the other three are, each once.
        Assert.Equal(["001_turkey.txt", "002_turkey.txt", "003_egypt.txt"], story.Keys.Order());
        Assert.Equal(story["001_turkey.txt"], story["002_turkey.txt"]);
        Assert.NotEqual(story["001_turkey.txt"], story["003_egypt.txt"]);
    }

    [Fact]
    public async Task An_unknown_format_is_a_usage_error()
    {
        var (exit, _, errors) = await Repo.RunCmsAsync(Env, "stories", "--format", "csv");
        Assert.Equal(2, exit);
        Assert.Contains("csv", errors);
    }
}
