using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Importing;

// The tests share one database: each imports items no other test imports (its own URLs, seeds
// and topic names) and looks at those, or at what its import added to the whole.
public sealed class ImportTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly TestItem _good = new()
    {
        Title = "A good story",
        Quality = 50,
        Published = false,
        Topics = ["Brand New Topic " + Unique.Tag(), "AI"],
        Related = [("Safe", "https://other.example/safe"), ("Unsafe", "javascript:alert(1)")],
    };

    private async Task<ImportReport> ImportPathsAsync(params string[] paths)
    {
        using var scope = Factory.Services.CreateScope();
        return await Corpus.ImportPathsAsync(scope.ServiceProvider, paths);
    }

    private Item Stored(TestItem item) => Factory.WithDb(db => db.Items.Single(i => i.OriginalUrl == item.OriginalUrl));

    private async Task<int> ExportAsync(string dir, WorkflowState? state = null)
    {
        using var scope = Factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(dir, state, CancellationToken.None)).Written;
    }

    [Fact]
    public async Task Import_then_export_of_generated_items_gives_the_same_mapping_and_secured_byte_for_byte()
    {
        using var corpus = Corpus.Generate(300, seed: 11);
        using var output = new Corpus();

        var report = await ImportPathsAsync(corpus.Dir);
        var exported = await ExportAsync(output.Dir);

        Assert.Equal("imported 300, updated 0, unchanged 0, rejected 0", report.Summary);
        // One file per item: these 300 and whatever earlier tests in the class imported.
        Assert.Equal(Factory.WithDb(db => db.Items.Count()), exported);
        var reader = new YamlFrontMatterReader();
        foreach (var path in Directory.EnumerateFiles(corpus.Dir))
        {
            var name = Path.GetFileName(path);
            var before = reader.ReadText(name, File.ReadAllText(path)).Root;
            var after = reader.ReadText(name, File.ReadAllText(Path.Combine(output.Dir, name))).Root;
            Assert.Equal(SourceNodes.Canonical(before), SourceNodes.Canonical(after));
            Assert.Equal(
                System.Text.Encoding.UTF8.GetBytes(((SourceScalar)before["secured"]!).Value),
                System.Text.Encoding.UTF8.GetBytes(((SourceScalar)after["secured"]!).Value));
        }
    }

    [Fact]
    public async Task A_batch_mixing_every_refusal_class_imports_all_the_good_files()
    {
        using var corpus = Corpus.Generate(5, seed: 2);
        corpus.Write("big.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/big\"\nexcerpt: \"" + new string('x', 1024 * 1024) + "\"\n---\n");
        corpus.Write("alias.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/alias\"\na: &x [1]\nb: *x\n---\n");
        corpus.Write("deep.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/deep\"\nx: " + new string('[', 5000) + new string(']', 5000) + "\n---\n");
        corpus.Write("dup.txt", "---\ntitle: t\ntitle: u\noriginalUrl: \"https://e.com/dup\"\n---\n");
        corpus.Write("list.yaml", "---\n- a\n---\n");
        File.WriteAllBytes(Path.Combine(corpus.Dir, "utf8.md"), [.. "---\ntitle: \""u8, 0xFF, 0xFE, .. "\"\noriginalUrl: \"https://e.com/u\"\n---\n"u8]);
        corpus.Write("tabs.yml", "---\ntitle: t\noriginalUrl: \"https://e.com/tab\"\nprovider:\n\tname: x\n---\n");
        corpus.Write("quality.txt", "---\ntitle: t\noriginalUrl: \"https://e.com/q\"\nquality: 101\n---\n");
        corpus.Write("ignored.json", "{}");
        var before = Factory.WithDb(db => db.Items.Count());

        var report = await ImportPathsAsync(corpus.Dir);

        Assert.Equal("imported 5, updated 0, unchanged 0, rejected 8", report.Summary);
        string Reason(string file) => report.Problems.Single(p => p.Path.EndsWith(file, StringComparison.Ordinal)).Reason;
        Assert.Contains("over the limit of 1048576 bytes", Reason("big.txt"));
        Assert.Equal("line 4, column 4: field 'a': YAML anchors are not allowed", Reason("alias.txt"));
        Assert.Contains("nesting deeper than 64 levels", Reason("deep.txt"));
        Assert.Equal("line 3, column 1: field 'title': duplicate key", Reason("dup.txt"));
        Assert.Contains("the root must be a mapping", Reason("list.yaml"));
        Assert.Equal("line 2: invalid UTF-8", Reason("utf8.md"));
        Assert.Equal("line 5, column 1: tab used as indentation (YAML allows spaces only)", Reason("tabs.yml"));
        Assert.Equal("line 4, column 10: field 'quality': must be an integer from 0 to 100", Reason("quality.txt"));
        Assert.Equal(before + 5, Factory.WithDb(db => db.Items.Count()));
    }

    [Fact]
    public async Task Reimporting_identical_files_writes_nothing_and_audits_nothing()
    {
        using var corpus = Corpus.Generate(40, seed: 3);
        await ImportPathsAsync(corpus.Dir);
        var before = Snapshot();

        var report = await ImportPathsAsync(corpus.Dir);

        Assert.Equal("imported 0, updated 0, unchanged 40, rejected 0", report.Summary);
        Assert.Equal(before, Snapshot());
    }

    // Row counts plus every item's xmin: any write to an item row changes its xmin.
    private string Snapshot() => Factory.WithDb(db =>
        string.Join(",", db.Items.OrderBy(i => i.Id).Select(i => i.Version).ToList())
        + $"|{db.AuditEvents.Count()}|{db.RelatedLinks.Count()}|{db.ItemTopics.Count()}|{db.Topics.Count()}|{db.SourceRevisions.Count()}");

    [Fact]
    public async Task A_changed_file_updates_an_untouched_item_with_an_importer_audit_event()
    {
        using var corpus = new Corpus();
        var path = corpus.Write("001_a.txt", _good.ToYaml());
        await ImportPathsAsync(path);

        File.WriteAllText(path, (_good with { Title = "A better story", Quality = 60 }).ToYaml());
        var report = await ImportPathsAsync(path);

        Assert.Equal("imported 0, updated 1, unchanged 0, rejected 0", report.Summary);
        var item = Stored(_good);
        Assert.Equal("A better story", item.Title);
        Assert.Equal(60, item.Quality);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.source-updated" && a.Actor == "import" && a.EntityId == item.Id.ToString())));
    }

    [Fact]
    public async Task An_editors_change_survives_a_reimport_and_the_new_source_waits_as_a_pending_revision()
    {
        using var corpus = new Corpus();
        var path = corpus.Write("001_a.txt", _good.ToYaml());
        await ImportPathsAsync(path);
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var item = await db.Items.SingleAsync(i => i.OriginalUrl == _good.OriginalUrl);
            item.Quality = 91;
            item.EditedAt = DateTimeOffset.UtcNow;
            item.EditedBy = "editor@example.com";
            await db.SaveChangesAsync();
        }

        File.WriteAllText(path, (_good with { Title = "Rewritten by the pipeline" }).ToYaml());
        var first = await ImportPathsAsync(path);
        var second = await ImportPathsAsync(path);

        var stored = Stored(_good);
        Assert.Equal(91, stored.Quality);
        Assert.Equal("A good story", stored.Title);
        Assert.True(stored.SourceChanged);
        var revision = Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == stored.Id));
        Assert.Equal(RevisionStatus.Pending, revision.Status);
        Assert.Contains("Rewritten by the pipeline", revision.SourceYaml);
        Assert.Equal(1, first.Revisions);
        Assert.Equal("imported 0, updated 0, unchanged 1, rejected 0", second.Summary);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.source-revision-received" && a.EntityId == stored.Id.ToString())));
        var page = await (await SignedInAsync(Roles.Editor)).GetStringAsync($"/Items/Details/{stored.Id}");
        Assert.Contains("pending revision", page);
        var table = Html.Parse(page).One("#revision-table");
        Assert.Contains(table.QuerySelectorAll("td.revision-current"), td => td.TextContent == "A good story");
        Assert.Contains(table.QuerySelectorAll("td.revision-incoming"), td => td.TextContent == "Rewritten by the pipeline");
    }

    [Fact]
    public async Task Unsafe_related_urls_are_rejected_with_a_reason_and_unknown_topics_are_created_from_import()
    {
        using var corpus = new Corpus();
        await ImportPathsAsync(corpus.Write("001_a.txt", _good.ToYaml()));

        var id = Stored(_good).Id;
        var links = Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.Equal(LinkDecision.Pending, links[0].Decision);
        Assert.Equal(LinkDecision.Rejected, links[1].Decision);
        Assert.Equal(ItemRows.UnsafeUrlReason, links[1].Reason);
        Assert.False(links[1].IsSafeUrl);
        var topic = Factory.WithDb(db => db.Topics.Single(t => t.Name == _good.Topics![0]));
        Assert.True(topic.FromImport);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.created" && a.EntityId == topic.Id.ToString())));
    }

    [Fact]
    public async Task Two_imports_of_the_same_folder_at_once_create_no_duplicates()
    {
        using var corpus = Corpus.Generate(2500, seed: 5);
        var items = Factory.WithDb(db => db.Items.Count());
        var imported = Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.imported"));

        var reports = await Task.WhenAll(ImportPathsAsync(corpus.Dir), ImportPathsAsync(corpus.Dir));

        Assert.Equal(items + 2500, Factory.WithDb(db => db.Items.Count()));
        Assert.Equal(2500, reports.Sum(r => r.Imported));
        Assert.Equal(2500, reports.Sum(r => r.Unchanged));
        Assert.Equal(imported + 2500, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.imported")));
    }

    [Fact]
    public async Task An_edited_item_exports_with_its_edits_and_only_approved_links_and_state_filters_apply()
    {
        using var corpus = new Corpus();
        // File names of their own: the export is named after them, and earlier tests used 001_a.txt.
        var a = $"001_{Unique.Tag()}.txt";
        var b = $"002_{Unique.Tag()}.txt";
        await ImportPathsAsync(corpus.Write(a, _good.ToYaml()));
        await ImportPathsAsync(corpus.Write(b, (_good with { OriginalUrl = "https://news.example/other/" + Unique.Tag() }).ToYaml()));
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var item = await db.Items.Include(i => i.RelatedLinks).SingleAsync(i => i.OriginalUrl == _good.OriginalUrl);
            item.Quality = 88;
            item.EditedAt = DateTimeOffset.UtcNow;
            item.State = WorkflowState.Published;
            item.RelatedLinks.Single(l => l.Position == 0).Decision = LinkDecision.Approved;
            await db.SaveChangesAsync();
        }
        using var output = new Corpus();

        var count = await ExportAsync(output.Dir, WorkflowState.Published);

        // Every published item in the class's database: this test publishes the only one.
        Assert.Equal(Factory.WithDb(db => db.Items.Count(i => i.State == WorkflowState.Published)), count);
        var exported = new YamlFrontMatterReader().ReadText("x", File.ReadAllText(Path.Combine(output.Dir, a))).Root;
        Assert.Equal("88", ((SourceScalar)exported["quality"]!).Value);
        Assert.Equal("true", ((SourceScalar)exported["published"]!).Value);
        Assert.Single(((SourceSequence)exported["related"]!).Items);
        Assert.False(File.Exists(Path.Combine(output.Dir, b)));
    }
}
