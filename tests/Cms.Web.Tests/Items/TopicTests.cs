using System.Net;
using Cms.Core.FrontMatter;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Items;

// Topics are one vocabulary for the whole database, so each test names its own topics and items.
public sealed class TopicTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private string Ai => "AI " + _tag;

    private string Space => "Space " + _tag;

    private string MachineLearning => "Machine Learning " + _tag;

    private string One => "One " + _tag;

    private string Two => "Two " + _tag;

    private string Three => "Three " + _tag;

    private static TestItem Item(string title, params string[] topics) => new() { Title = title, Topics = topics };

    private int TopicId(string name) => Factory.WithDb(db => db.Topics.Single(t => t.Name == name).Id);

    private List<string> TopicsOf(string title) =>
        Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == db.Items.Single(i => i.Title == title).Id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());

    [Fact]
    public async Task A_rename_shows_up_on_every_affected_item_page_and_in_export_and_is_audited()
    {
        var two = Item(Two, Ai);
        await ImportAsync(Item(One, Ai, Space), two, Item(Three, Space));
        var publisher = await SignedInAsync(Roles.Publisher);
        var renamed = "Artificial Intelligence " + _tag;
        var topicId = TopicId(Ai);

        var response = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Rename.Id"] = topicId.ToString(),
            ["Rename.Name"] = renamed,
        }, "/Topics?handler=Rename");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal([renamed, Space], TopicsOf(One));
        Assert.Equal([renamed], TopicsOf(Two));
        Assert.Equal([Space], TopicsOf(Three));
        Assert.Contains($"Renamed &#x27;{Ai}&#x27; to &#x27;{renamed}&#x27; on 2 items.", await publisher.GetStringAsync("/Topics"));
        Assert.Contains(renamed, await publisher.GetStringAsync($"/Items/Details/{ItemId(Two)}"));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.renamed" && a.EntityId == topicId.ToString())));

        using var output = new Corpus();
        using (var scope = Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(output.Dir, null, CancellationToken.None);
        }
        // The export holds every item in the database; find Two's file by its URL.
        var reader = new YamlFrontMatterReader();
        var exported = Directory.EnumerateFiles(output.Dir)
            .Select(path => reader.ReadText(path, File.ReadAllText(path)).Root)
            .Single(root => ((SourceScalar)root["originalUrl"]!).Value == two.OriginalUrl);
        Assert.Equal(renamed, ((SourceScalar)((SourceSequence)exported["topics"]!).Items[0]).Value);
    }

    [Fact]
    public async Task A_merge_moves_every_item_to_the_surviving_topic_without_duplicates()
    {
        await ImportAsync(Item(One, Ai, MachineLearning), Item(Two, MachineLearning), Item(Three, Space));
        var publisher = await SignedInAsync(Roles.Publisher);
        var into = TopicId(Ai);

        var response = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Merge.From"] = TopicId(MachineLearning).ToString(),
            ["Merge.Into"] = into.ToString(),
        }, "/Topics?handler=Merge");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal([Ai], TopicsOf(One));
        Assert.Equal([Ai], TopicsOf(Two));
        Assert.Equal([Space], TopicsOf(Three));
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name == MachineLearning)));
        var queue = await publisher.GetStringAsync("/?View.Topic=" + Uri.EscapeDataString(Ai));
        var titles = Queue.QueuePage.Titles(queue);
        Assert.Contains(One, titles);
        Assert.Contains(Two, titles);
        Assert.DoesNotContain(Three, titles);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.merged" && a.EntityId == into.ToString())));
    }

    [Fact]
    public async Task Renaming_onto_an_existing_topic_is_refused_and_editors_cannot_manage_topics()
    {
        await ImportAsync(Item(One, Ai, Space));
        var publisher = await SignedInAsync(Roles.Publisher);
        var editor = await SignedInAsync(Roles.Editor);

        var refused = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Rename.Id"] = TopicId(Ai).ToString(),
            ["Rename.Name"] = Space.ToLowerInvariant(),
        }, "/Topics?handler=Rename");
        var denied = await editor.GetAsync("/Topics");

        Assert.Contains("already exists; merge the two topics instead", await refused.Content.ReadAsStringAsync());
        Assert.Equal([Ai, Space], TopicsOf(One));
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", denied.Headers.Location!.PathAndQuery);
    }
}
