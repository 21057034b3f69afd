using Cms.Application.Importing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class ImportReportTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<Outcome<ImportReport>> ImportAsync(IEnumerable<TestItem> items) => app.RunAsync(s =>
        s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline,
            items.Select((item, i) => ImportSources.FromBytes($"{i:D4}_{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(item.ToYaml()))).ToList(),
            null, CancellationToken.None));

    [Fact]
    public async Task The_report_names_the_first_two_hundred_items_of_each_kind_and_counts_them_all()
    {
        var items = Enumerable.Range(0, ImportReport.MaxListed + 5).Select(n => new TestItem { Title = $"Report item {n} {Unique.Tag()}" }).ToList();

        var created = (await ImportAsync(items)).Value!;
        var updated = (await ImportAsync(items.Select(i => i with { Excerpt = "changed" }))).Value!;

        Assert.Equal(ImportReport.MaxListed + 5, created.Imported);
        Assert.Equal(ImportReport.MaxListed, created.NewItems.Count);
        Assert.Equal(items.Take(ImportReport.MaxListed).Select(i => i.Title), created.NewItems.Select(i => i.Title));
        var ids = app.Read(db => db.Items.Where(i => items.Select(t => t.OriginalUrl).Contains(i.OriginalUrl)).ToDictionary(i => i.Title, i => i.Id));
        Assert.All(created.NewItems, i => Assert.Equal(ids[i.Title], i.Id));
        Assert.Equal(ImportReport.MaxListed + 5, updated.Updated);
        Assert.Equal(ImportReport.MaxListed + 5, updated.UpdatedFromSource);
        Assert.Equal(ImportReport.MaxListed, updated.UpdatedItems.Count);
        Assert.Empty(updated.NewItems);
        Assert.Empty(updated.RevisionItems);
    }

    [Fact]
    public async Task A_kept_revision_is_named_apart_and_still_counted_in_the_summary_line()
    {
        var item = new TestItem { Title = "Worked on " + Unique.Tag() };
        await ImportAsync([item]);
        await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            return await db.Items.Where(i => i.OriginalUrl == item.OriginalUrl).ExecuteUpdateAsync(u => u.SetProperty(i => i.EditedAt, DateTimeOffset.UtcNow));
        });

        var report = (await ImportAsync([item with { Excerpt = "changed" }])).Value!;

        Assert.Equal("imported 0, updated 1, unchanged 0, rejected 0", report.Summary);
        // The page's line says what "updated" was, beside "Updated from their source 0".
        Assert.Equal("“updated 1”: 0 from their source, 1 kept as a pending revision.", report.UpdatedExplained);
        Assert.Equal(1, report.Revisions);
        Assert.Equal(0, report.UpdatedFromSource);
        Assert.Equal([item.Title], report.RevisionItems.Select(i => i.Title));
        Assert.Empty(report.UpdatedItems);
    }
}
