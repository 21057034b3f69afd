using Cms.Application.Queue;
using Cms.Core.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// The default view's first page reads its rows through a compiled query (QueueQuery.PlainFirstPage);
// every other view composes the same WithState, Order and projection per call. The two must give
// the same rows: an undated item first (NULLs first, descending), then the newest, a long title cut,
// pending links counted.
public sealed class QueueDefaultPageTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task Default_first_page_reads_the_rows_the_composed_query_reads()
    {
        var now = DateTimeOffset.UtcNow;
        await app.ImportAsync(
            new TestItem { Title = "Long " + new string('x', 400), PublishedDateTime = now.AddMinutes(-1), Related = [("One", "https://one.example/a"), ("Two", "https://two.example/b")] }.ToYaml(),
            new TestItem { Title = "Newest", PublishedDateTime = now, Quality = 3, Heat = 7, Category = "World" }.ToYaml(),
            new TestItem { Title = "Undated" }.ToYaml());

        var (page, composed) = await app.RunAsync(async s =>
        {
            var queue = s.GetRequiredService<QueueQuery>();
            var view = new QueueView();
            var page = await queue.PageAsync(view, CancellationToken.None);
            var composed = await (await queue.FirstPageQueryAsync(view, CancellationToken.None)).ToListAsync();
            return (page, composed);
        });

        // The page clips the titles the query reads (a few characters past TitleChars) in C#.
        Assert.Equal(composed.Take(QueueQuery.PageSize).Select(r => r with { Title = UnicodeText.Clip(r.Title, QueueQuery.TitleChars) }), page.Items);
        Assert.Equal(["Undated", "Newest"], page.Items.Take(2).Select(r => r.Title));
        var cut = Assert.Single(page.Items, r => r.Title.StartsWith("Long ", StringComparison.Ordinal));
        Assert.Equal(QueueQuery.TitleChars + 1, cut.Title.Length);
        Assert.Equal(2, cut.Undecided);
    }
}
