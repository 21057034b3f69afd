using System.Net;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// Import keeps sources; it never moves an item between workflow states, and an upload can do
// no more than its uploader may do on the item page. Each test uses items and topics of its own.
public sealed class ImportWorkflowTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private Item? Stored(TestItem item) => Factory.WithDb(db => db.Items.SingleOrDefault(i => i.OriginalUrl == item.OriginalUrl));

    private List<AuditEvent> Events(string action, long id) =>
        Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == action && a.EntityId == id.ToString()).ToList());

    private async Task<ImportReport> PipelineImportAsync(params TestItem[] items)
    {
        using var corpus = new Corpus();
        foreach (var item in items)
        {
            corpus.Write($"{Unique.Tag()}.txt", item.ToYaml());
        }
        using var scope = Factory.Services.CreateScope();
        // The command line's own actor, as `./cms import` uses it.
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.CommandLine(), [corpus.Dir], null, CancellationToken.None);
        return outcome.Value!;
    }

    [Fact]
    public async Task An_editors_upload_of_a_new_published_file_is_refused_by_name_and_audited()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var published = new TestItem { Published = true };
        var fine = new TestItem { Published = false };

        var response = await Uploads.UploadAsync(editor, ("published.txt", Uploads.File(published.ToYaml())), ("fine.txt", Uploads.File(fine.ToYaml())));

        var report = await Uploads.ReportAsync(response);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", report);
        Assert.Contains("published.txt: published: true: importing an item as Published needs the PublishItems permission", report);
        Assert.Null(Stored(published));
        Assert.Equal(WorkflowState.New, Stored(fine)!.State);
        var refusals = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "authorization.refused" && a.Actor.StartsWith("editor-")).Select(a => a.Data).ToList());
        Assert.Single(refusals, d => d!.Contains("published.txt") && d.Contains("PublishItems"));
    }

    [Fact]
    public async Task An_editors_upload_cannot_publish_rewrite_or_withdraw_an_existing_item()
    {
        var fresh = new TestItem { Title = "Untouched " + _tag, Published = false };
        var live = new TestItem { Title = "Live " + _tag, Published = true };
        await PipelineImportAsync(fresh, live);
        var editor = await SignedInAsync(Roles.Editor);

        var response = await Uploads.UploadAsync(editor,
            ("publish.txt", Uploads.File((fresh with { Title = "Published by an editor", Published = true }).ToYaml())),
            ("withdraw.txt", Uploads.File((live with { Title = "Withdrawn by an editor", Published = false }).ToYaml())));

        Assert.Contains("imported 0, updated 2, unchanged 0, rejected 0", await Uploads.ReportAsync(response));
        var untouched = Stored(fresh)!;
        var published = Stored(live)!;
        Assert.Equal((WorkflowState.New, fresh.Title, true), (untouched.State, untouched.Title, untouched.SourceChanged));
        Assert.Equal((WorkflowState.Published, live.Title, true), (published.State, published.Title, published.SourceChanged));
        foreach (var id in new[] { untouched.Id, published.Id })
        {
            var revision = Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == id));
            Assert.Equal(RevisionStatus.Pending, revision.Status);
            Assert.Contains("published", revision.ChangedFields!);
            Assert.Contains("title", revision.ChangedFields!);
            Assert.Empty(Events("item.source-updated", id));
            Assert.Empty(Events("item.state-changed", id));
        }
        using var output = new Corpus();
        using (var scope = Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(output.Dir, WorkflowState.Published, CancellationToken.None);
        }
        Assert.DoesNotContain(Directory.EnumerateFiles(output.Dir), f => File.ReadAllText(f).Contains("by an editor"));
    }

    [Fact]
    public async Task A_changed_file_for_an_untouched_published_item_waits_as_a_revision_even_from_the_pipeline()
    {
        var live = new TestItem { Published = true };
        await PipelineImportAsync(live);

        var report = await PipelineImportAsync(live with { Title = "Rewritten " + _tag });

        Assert.Equal(1, report.Revisions);
        var item = Stored(live)!;
        Assert.Equal((WorkflowState.Published, live.Title), (item.State, item.Title));
        Assert.Single(Events("item.source-revision-received", item.Id));
    }

    [Fact]
    public async Task The_command_line_imports_a_new_published_file_as_published_and_the_audit_says_so()
    {
        var live = new TestItem { Published = true };

        var report = await PipelineImportAsync(live);

        Assert.Equal("imported 1, updated 0, unchanged 0, rejected 0", report.Summary);
        var item = Stored(live)!;
        Assert.Equal(WorkflowState.Published, item.State);
        var imported = Assert.Single(Events("item.imported", item.Id));
        Assert.StartsWith("cli:", imported.Actor);
        Assert.Equal("Published", System.Text.Json.JsonDocument.Parse(imported.Data!).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_editors_upload_naming_an_unknown_topic_or_category_is_refused_and_creates_nothing()
    {
        var known = "Known " + _tag;
        await PipelineImportAsync(new TestItem { Topics = [known], Category = "Cat " + _tag });
        var editor = await SignedInAsync(Roles.Editor);
        var unknownTopic = new TestItem { Topics = [known, "Unknown " + _tag] };
        var unknownCategory = new TestItem { Category = "Other cat " + _tag };
        var knownOnly = new TestItem { Topics = [known.ToUpperInvariant()], Category = "Cat " + _tag };

        var response = await Uploads.UploadAsync(editor,
            ("topic.txt", Uploads.File(unknownTopic.ToYaml())),
            ("category.txt", Uploads.File(unknownCategory.ToYaml())),
            ("known.txt", Uploads.File(knownOnly.ToYaml())));

        var report = await Uploads.ReportAsync(response);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 2", report);
        Assert.Contains($"topic.txt: topics: 'Unknown {_tag}' is not a topic yet, and creating topics needs the ManageTopics permission", report);
        Assert.Contains($"category.txt: category: 'Other cat {_tag}' is not in the list of categories yet", report);
        Assert.Null(Stored(unknownTopic));
        Assert.Null(Stored(unknownCategory));
        Assert.NotNull(Stored(knownOnly));
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name == "Unknown " + _tag)));
        Assert.False(Factory.WithDb(db => db.Categories.Any(c => c.Name == "Other cat " + _tag)));
    }

    [Fact]
    public async Task An_editors_refused_upload_names_the_missing_topics_with_how_many_files_each_stopped()
    {
        var known = "Known " + _tag;
        await PipelineImportAsync(new TestItem { Topics = [known] });
        var editor = await SignedInAsync(Roles.Editor);
        var often = "Often " + _tag;
        var once = "Once " + _tag;
        (string, HttpContent)[] files =
        [
            ("a.txt", Uploads.File(new TestItem { Topics = [known, often] }.ToYaml())),
            ("b.txt", Uploads.File(new TestItem { Topics = [often.ToUpperInvariant(), once] }.ToYaml())),
            ("c.txt", Uploads.File(new TestItem { Topics = [often] }.ToYaml())),
            ("d.txt", Uploads.File(new TestItem { Topics = [known] }.ToYaml())),
        ];

        var response = await Uploads.UploadAsync(editor, files);

        var page = Html.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([[often, "3"], [once, "1"]], page.QuerySelectorAll("#missing-topics tbody tr").Select(r => r.Cells()));
        Assert.Contains("creating a topic needs a publisher", page.One("#missing-topics-advice").TextContent);
        Assert.Equal("1", page.One("#count-new").TextContent);
    }

    [Fact]
    public async Task A_publisher_creates_the_topics_an_editors_report_names_and_the_refused_files_then_import()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var often = "Often " + _tag;
        var once = "Once " + _tag;
        (string, HttpContent)[] Files() =>
        [
            ("a.txt", Uploads.File(new TestItem { OriginalUrl = $"https://example.com/{_tag}/a", Topics = [often] }.ToYaml())),
            ("b.txt", Uploads.File(new TestItem { OriginalUrl = $"https://example.com/{_tag}/b", Topics = [often, once] }.ToYaml())),
        ];
        var refused = Html.Parse(await (await Uploads.UploadAsync(editor, Files())).Content.ReadAsStringAsync());
        var link = refused.One("#create-missing-topics").GetAttribute("href")!;

        // The editor cannot use the link, nor post its form: creating topics stays a publisher's (and
        // the publisher's request below creates both topics, so the editor's created neither).
        var editorGet = await editor.GetAsync(link);
        var editorPost = await Http.PostFormAsync(editor, "/Import", new Dictionary<string, string> { ["CreateMany.Names[0]"] = often }, "/Topics?handler=CreateMany");
        var publisher = await SignedInAsync(Roles.Publisher);
        var form = Html.Parse(await publisher.GetStringAsync(link));
        var offered = form.QuerySelectorAll("#create-missing input[name='CreateMany.Names']").Select(i => i.GetAttribute("value")).ToList();
        var create = await Http.PostFormAsync(publisher, link, new Dictionary<string, string> { ["CreateMany.Names[0]"] = often, ["CreateMany.Names[1]"] = once }, "/Topics?handler=CreateMany");
        var again = await Uploads.ReportAsync(await Uploads.UploadAsync(editor, Files()));

        Assert.Equal("0", refused.One("#count-new").TextContent);
        Assert.StartsWith("/Account/AccessDenied", editorGet.Headers.Location!.PathAndQuery);
        Assert.StartsWith("/Account/AccessDenied", editorPost.Headers.Location!.PathAndQuery);
        Assert.Equal([often, once], offered);
        Assert.Equal(HttpStatusCode.Redirect, create.StatusCode);
        Assert.Equal(2, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == Cms.Core.Auditing.AuditActions.TopicCreated
            && a.Actor.StartsWith("publisher") && (a.Payload!.Contains(often) || a.Payload!.Contains(once)))));
        Assert.Contains("imported 2, updated 0, unchanged 0, rejected 0", again);
    }

    [Fact]
    public async Task A_publishers_upload_creates_topics_and_categories_marked_from_import_and_audited()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var item = new TestItem { Topics = ["Fresh " + _tag], Category = "Fresh cat " + _tag };

        var response = await Uploads.UploadAsync(publisher, ("new.txt", Uploads.File(item.ToYaml())));

        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await Uploads.ReportAsync(response));
        var topic = Factory.WithDb(db => db.Topics.Single(t => t.Name == "Fresh " + _tag));
        Assert.True(topic.FromImport);
        Assert.Single(Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "topic.created" && a.EntityId == topic.Id.ToString()).ToList()));
        var category = Factory.WithDb(db => db.Categories.Single(c => c.Name == "Fresh cat " + _tag));
        Assert.True(category.FromImport);
        Assert.Single(Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "category.created" && a.EntityId == category.Id.ToString()).ToList()));
    }

    [Fact]
    public async Task A_topic_typed_on_the_item_page_with_a_bidi_control_is_refused()
    {
        await ImportAsync(new TestItem { Title = "Bidi " + _tag });
        var publisher = await SignedInAsync(Roles.Publisher);
        var id = ItemId("Bidi " + _tag);
        var page = await publisher.GetStringAsync($"/Items/Details/{id}");
        var version = Html.Field(page, "Input.Version");

        var response = await Http.PostFormAsync(publisher, $"/Items/Details/{id}", new Dictionary<string, string>
        {
            ["Input.Version"] = version,
            ["Input.Topics"] = "abc\u202Edef " + _tag,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("invisible or bidirectional", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.False(Factory.WithDb(db => db.Topics.Any(t => t.Name.Contains(_tag))));
    }
}
