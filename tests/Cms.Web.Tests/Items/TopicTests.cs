using System.Net;
using Cms.Core.FrontMatter;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Items;

public sealed class TopicTests : WebTest
{
    private static string Item(string title, params string[] topics) =>
        $"---\ntitle: \"{title}\"\noriginalUrl: \"https://e.com/{title.Replace(' ', '-')}\"\ntopics: [{string.Join(", ", topics.Select(t => $"\"{t}\""))}]\n---\n";

    private int TopicId(string name) => Factory.WithDb(db => db.Topics.Single(t => t.Name == name).Id);

    private List<string> TopicsOf(string title) =>
        Factory.WithDb(db => db.ItemTopics.Where(t => t.ItemId == db.Items.Single(i => i.Title == title).Id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());

    [Fact]
    public async Task A_rename_shows_up_on_every_affected_item_page_and_in_export_and_is_audited()
    {
        await ImportTextsAsync(Item("One", "AI", "Space"), Item("Two", "AI"), Item("Three", "Space"));
        var publisher = await SignedInAsync(Roles.Publisher);

        var response = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Rename.Id"] = TopicId("AI").ToString(),
            ["Rename.Name"] = "Artificial Intelligence",
        }, "/Topics?handler=Rename");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(["Artificial Intelligence", "Space"], TopicsOf("One"));
        Assert.Equal(["Artificial Intelligence"], TopicsOf("Two"));
        Assert.Equal(["Space"], TopicsOf("Three"));
        Assert.Contains("Renamed &#x27;AI&#x27; to &#x27;Artificial Intelligence&#x27; on 2 items.", await publisher.GetStringAsync("/Topics"));
        Assert.Contains("Artificial Intelligence", await publisher.GetStringAsync($"/Items/Details/{ItemId("Two")}"));
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.renamed")));

        using var output = new Corpus();
        using (var scope = Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(output.Dir, null, CancellationToken.None);
        }
        var exported = new YamlFrontMatterReader().ReadText("x", File.ReadAllText(Path.Combine(output.Dir, "002_item.txt"))).Root;
        Assert.Equal("Artificial Intelligence", ((SourceScalar)((SourceSequence)exported["topics"]!).Items[0]).Value);
    }

    [Fact]
    public async Task A_merge_moves_every_item_to_the_surviving_topic_without_duplicates()
    {
        await ImportTextsAsync(Item("One", "AI", "Machine Learning"), Item("Two", "Machine Learning"), Item("Three", "Space"));
        var publisher = await SignedInAsync(Roles.Publisher);

        var response = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Merge.From"] = TopicId("Machine Learning").ToString(),
            ["Merge.Into"] = TopicId("AI").ToString(),
        }, "/Topics?handler=Merge");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(["AI"], TopicsOf("One"));
        Assert.Equal(["AI"], TopicsOf("Two"));
        Assert.Equal(["Space"], TopicsOf("Three"));
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name == "Machine Learning")));
        var queue = await publisher.GetStringAsync("/?View.Topic=AI");
        Assert.Contains(">One</a>", queue);
        Assert.Contains(">Two</a>", queue);
        Assert.DoesNotContain(">Three</a>", queue);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.merged")));
    }

    [Fact]
    public async Task Renaming_onto_an_existing_topic_is_refused_and_editors_cannot_manage_topics()
    {
        await ImportTextsAsync(Item("One", "AI", "Space"));
        var publisher = await SignedInAsync(Roles.Publisher);
        var editor = await SignedInAsync(Roles.Editor);

        var refused = await Http.PostFormAsync(publisher, "/Topics", new Dictionary<string, string>
        {
            ["Rename.Id"] = TopicId("AI").ToString(),
            ["Rename.Name"] = "space",
        }, "/Topics?handler=Rename");
        var denied = await editor.GetAsync("/Topics");

        Assert.Contains("already exists; merge the two topics instead", await refused.Content.ReadAsStringAsync());
        Assert.Equal(["AI", "Space"], TopicsOf("One"));
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", denied.Headers.Location!.PathAndQuery);
    }
}
