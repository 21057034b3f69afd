using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Importing;

public sealed class ImportTests : WebTest
{
    private const string Good = """
        ---
        title: "A good story"
        originalUrl: "https://news.example/good"
        quality: 50
        published: false
        topics: ["Brand New Topic", "AI"]
        related:
          - title: "Safe"
            webUrl: "https://other.example/safe"
          - title: "Unsafe"
            webUrl: "javascript:alert(1)"
        ---
        """;

    private async Task<ImportReport> ImportAsync(params string[] paths)
    {
        using var scope = Factory.Services.CreateScope();
        return await Corpus.ImportPathsAsync(scope.ServiceProvider, paths);
    }

    private async Task<int> ExportAsync(string dir, WorkflowState? state = null)
    {
        using var scope = Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(dir, state, CancellationToken.None);
    }

    [Fact]
    public async Task Import_then_export_of_generated_items_gives_the_same_mapping_and_secured_byte_for_byte()
    {
        using var corpus = Corpus.Generate(300, seed: 11);
        using var output = new Corpus();

        var report = await ImportAsync(corpus.Dir);
        var exported = await ExportAsync(output.Dir);

        Assert.Equal("imported 300, updated 0, unchanged 0, rejected 0", report.Summary);
        Assert.Equal(300, exported);
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

        var report = await ImportAsync(corpus.Dir);

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
        Assert.Equal(5, Factory.WithDb(db => db.Items.Count()));
    }

    [Fact]
    public async Task Reimporting_identical_files_writes_nothing_and_audits_nothing()
    {
        using var corpus = Corpus.Generate(40, seed: 3);
        await ImportAsync(corpus.Dir);
        var before = Snapshot();

        var report = await ImportAsync(corpus.Dir);

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
        var path = corpus.Write("001_a.txt", Good);
        await ImportAsync(path);

        File.WriteAllText(path, Good.Replace("A good story", "A better story").Replace("quality: 50", "quality: 60"));
        var report = await ImportAsync(path);

        Assert.Equal("imported 0, updated 1, unchanged 0, rejected 0", report.Summary);
        var item = Factory.WithDb(db => db.Items.Single());
        Assert.Equal("A better story", item.Title);
        Assert.Equal(60, item.Quality);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.source-updated" && a.Actor == "import" && a.EntityId == item.Id.ToString())));
    }

    [Fact]
    public async Task An_editors_change_survives_a_reimport_and_the_new_source_waits_as_a_pending_revision()
    {
        using var corpus = new Corpus();
        var path = corpus.Write("001_a.txt", Good);
        await ImportAsync(path);
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var item = await db.Items.SingleAsync();
            item.Quality = 91;
            item.EditedAt = DateTimeOffset.UtcNow;
            item.EditedBy = "editor@example.com";
            await db.SaveChangesAsync();
        }

        var changed = Good.Replace("A good story", "Rewritten by the pipeline");
        File.WriteAllText(path, changed);
        var first = await ImportAsync(path);
        var second = await ImportAsync(path);

        var stored = Factory.WithDb(db => db.Items.Single());
        Assert.Equal(91, stored.Quality);
        Assert.Equal("A good story", stored.Title);
        Assert.True(stored.SourceChanged);
        var revision = Factory.WithDb(db => db.SourceRevisions.Single());
        Assert.Equal(RevisionStatus.Pending, revision.Status);
        Assert.Contains("Rewritten by the pipeline", revision.SourceYaml);
        Assert.Equal(1, first.Revisions);
        Assert.Equal("imported 0, updated 0, unchanged 1, rejected 0", second.Summary);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.source-revision-received")));
        var page = await (await SignedInAsync(Roles.Editor)).GetStringAsync($"/Items/Details/{stored.Id}");
        Assert.Contains("pending revision", page);
        var text = System.Net.WebUtility.HtmlDecode(page);
        Assert.Matches("-\\s+\"title\": string \"A good story\"", text);
        Assert.Matches("\\+\\s+\"title\": string \"Rewritten by the pipeline\"", text);
    }

    [Fact]
    public async Task Unsafe_related_urls_are_rejected_with_a_reason_and_unknown_topics_are_created_from_import()
    {
        using var corpus = new Corpus();
        await ImportAsync(corpus.Write("001_a.txt", Good));

        var links = Factory.WithDb(db => db.RelatedLinks.OrderBy(l => l.Position).ToList());
        Assert.Equal(LinkDecision.Pending, links[0].Decision);
        Assert.Equal(LinkDecision.Rejected, links[1].Decision);
        Assert.Equal(ItemRows.UnsafeUrlReason, links[1].Reason);
        Assert.False(links[1].IsSafeUrl);
        var topic = Factory.WithDb(db => db.Topics.Single(t => t.Name == "Brand New Topic"));
        Assert.True(topic.FromImport);
        Assert.Equal(1, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "topic.created" && a.EntityId == topic.Id.ToString())));
    }

    [Fact]
    public async Task Two_imports_of_the_same_folder_at_once_create_no_duplicates()
    {
        using var corpus = Corpus.Generate(2500, seed: 5);

        var reports = await Task.WhenAll(ImportAsync(corpus.Dir), ImportAsync(corpus.Dir));

        Assert.Equal(2500, Factory.WithDb(db => db.Items.Count()));
        Assert.Equal(2500, reports.Sum(r => r.Imported));
        Assert.Equal(2500, reports.Sum(r => r.Unchanged));
        Assert.Equal(2500, Factory.WithDb(db => db.AuditEvents.Count(a => a.Action == "item.imported")));
    }

    [Fact]
    public async Task An_edited_item_exports_with_its_edits_and_only_approved_links_and_state_filters_apply()
    {
        using var corpus = new Corpus();
        await ImportAsync(corpus.Write("001_a.txt", Good));
        await ImportAsync(corpus.Write("002_b.txt", Good.Replace("/good", "/other")));
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            var item = await db.Items.Include(i => i.RelatedLinks).SingleAsync(i => i.FileName == "001_a.txt");
            item.Quality = 88;
            item.EditedAt = DateTimeOffset.UtcNow;
            item.State = WorkflowState.Published;
            item.RelatedLinks.Single(l => l.Position == 0).Decision = LinkDecision.Approved;
            await db.SaveChangesAsync();
        }
        using var output = new Corpus();

        var count = await ExportAsync(output.Dir, WorkflowState.Published);

        Assert.Equal(1, count);
        var exported = new YamlFrontMatterReader().ReadText("x", File.ReadAllText(Path.Combine(output.Dir, "001_a.txt"))).Root;
        Assert.Equal("88", ((SourceScalar)exported["quality"]!).Value);
        Assert.Equal("true", ((SourceScalar)exported["published"]!).Value);
        Assert.Single(((SourceSequence)exported["related"]!).Items);
        Assert.False(File.Exists(Path.Combine(output.Dir, "002_b.txt")));
    }
}
