using System.Net;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// The changed fields of a pending revision are computed once, when it arrives; a page view of a
// large one only reads them. Before, a line diff ran on every view: 52 s for a revision like this one.
public sealed class RevisionViewTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<long> EditedItemWithRevisionAsync(TestItem item, string revisionYaml)
    {
        await ImportAsync(item);
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            await db.Items.Where(i => i.OriginalUrl == item.OriginalUrl)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.EditedAt, DateTimeOffset.UtcNow).SetProperty(i => i.Quality, 77));
        }
        using (var corpus = new Corpus())
        {
            corpus.Write("revision.txt", revisionYaml);
            using var scope = Factory.Services.CreateScope();
            Assert.Equal(1, (await Corpus.ImportPathsAsync(scope.ServiceProvider, corpus.Dir)).Revisions);
        }
        return ItemId(item);
    }

    [Fact]
    public async Task Viewing_an_item_with_a_960_KB_pending_revision_shows_what_was_stored_on_arrival_without_comparing_again()
    {
        var item = new TestItem { ExtraYaml = ["values: [1]"] };
        var random = new Random(3);
        var values = string.Concat(Enumerable.Range(0, 240_000).Select(_ => $"- {random.Next(10)}\n"));
        var revision = (item with { ExtraYaml = ["values:"] }).ToYaml().Replace("values:\n", "values:\n" + values);
        Assert.InRange(revision.Length, 900_000, 1_000_000);
        var id = await EditedItemWithRevisionAsync(item, revision);
        // Computed once, on arrival: the changed fields, which the page shows without parsing either source.
        var stored = Factory.WithDb(db => db.SourceRevisions.Single(r => r.ItemId == id));
        Assert.Equal(["values"], stored.ChangedFields!);
        // What the page shows comes from that row: a name only the row holds appears, so the view
        // did not compare the sources again (the work that took seconds per view before; how fast
        // a view is on this machine is no test's business).
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            await db.SourceRevisions.Where(r => r.Id == stored.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ChangedFields, new[] { "values", "only-in-the-stored-row" }).SetProperty(r => r.ChangedFieldCount, 2));
        }
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/Items/Details/{id}");

        Assert.Contains("pending revision", html);
        Assert.Contains("Changed fields: values, only-in-the-stored-row", html);
        Assert.Contains("revision-diff-omitted", html);
        Assert.True(html.Length < 300_000, $"the page is {html.Length} characters");
    }

    [Fact]
    public async Task A_small_revision_keeps_its_line_diff_and_the_full_source_is_on_demand()
    {
        var item = new TestItem { Title = "Before " + Unique.Tag(), ExtraYaml = [$"notes: \"{new string('n', 70_000)}\""] };
        var id = await EditedItemWithRevisionAsync(item, (item with { Title = "After " + Unique.Tag(), ExtraYaml = [] }).ToYaml());
        var editor = await SignedInAsync(Roles.Editor);

        var raw = await editor.GetStringAsync($"/Items/Details/{id}");
        var html = WebUtility.HtmlDecode(raw);
        var source = await editor.GetAsync($"/Items/Details/{id}?handler=Source");

        Assert.Contains("Changed fields: title, notes", html);
        // Compared field by field, decoded (no YAML type tags); the unknown field is named.
        var table = Html.Parse(raw).One("#revision-table");
        Assert.Contains(table.QuerySelectorAll("td.revision-current"), td => td.TextContent.StartsWith("Before ", StringComparison.Ordinal));
        Assert.Contains(table.QuerySelectorAll("td.revision-incoming"), td => td.TextContent.StartsWith("After ", StringComparison.Ordinal));
        Assert.DoesNotContain("string \"", html);
        Assert.Contains("come with the accepted source: notes", html);
        Assert.Contains("source-shortened", html);
        Assert.DoesNotContain(new string('n', 65 * 1024), html);
        Assert.Equal("text/plain; charset=utf-8", source.Content.Headers.ContentType!.ToString());
        Assert.Contains(new string('n', 70_000), await source.Content.ReadAsStringAsync());
    }
}
