using System.Diagnostics;
using System.Net;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// The changed fields of a pending revision are computed once, when it arrives; a page view of a
// large one only reads them. Before, a line diff ran on every view: 52 s for a revision like this one.
public sealed class RevisionViewTests(AppFixture app, Xunit.Abstractions.ITestOutputHelper output) : WebTest(app), IClassFixture<AppFixture>
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
    public async Task Viewing_an_item_with_a_960_KB_pending_revision_takes_under_200_ms_and_names_the_changed_fields()
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
        var editor = await SignedInAsync(Roles.Editor);
        await editor.GetStringAsync($"/Items/Details/{id}");

        var times = new List<double>();
        string html = "";
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            html = await editor.GetStringAsync($"/Items/Details/{id}");
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        // The best of five, so a test run busy on its two cores does not decide; without the stored
        // comparison every view took seconds.
        times.Sort();
        output.WriteLine($"item page with a 960 KB pending revision: {string.Join(", ", times.Select(t => t.ToString("F0")))} ms");
        Assert.True(times[0] < 200, $"best {times[0]:F0} ms ({string.Join(", ", times.Select(t => t.ToString("F0")))})");
        Assert.Contains("pending revision", html);
        Assert.Contains("Changed fields: values", html);
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
