using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Queue;

// "Today's unreviewed items": when an item arrived (its import) is a filter and a sort of its own,
// apart from the outlet's publication date. Each test looks at a category of its own.
public sealed class ReceivedDateTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _category = "recv-" + Unique.Tag();

    [Fact]
    public async Task The_received_date_filters_and_sorts_apart_from_the_published_date()
    {
        // Published newest first: Old news, Middle, Fresh; received the other way round.
        TestItem Item(string title, int day) => new() { Title = $"{title} {_category}", Category = _category, PublishedDateTime = TestItem.Utc(2024, 5, day) };
        var (fresh, middle, old) = (Item("Fresh", 1), Item("Middle", 2), Item("Old news", 3));
        await ImportAsync(fresh, middle, old);
        var now = DateTimeOffset.UtcNow;
        var (freshId, middleId, oldId) = (ItemId(fresh), ItemId(middle), ItemId(old));
        // Set, not left to the import's clock, so the days are the ones "today" below names.
        Factory.WithDb(db => db.Items.Where(i => i.Id == freshId).ExecuteUpdate(u => u.SetProperty(i => i.ImportedAt, now)));
        Factory.WithDb(db => db.Items.Where(i => i.Id == middleId).ExecuteUpdate(u => u.SetProperty(i => i.ImportedAt, now.AddDays(-1))));
        Factory.WithDb(db => db.Items.Where(i => i.Id == oldId).ExecuteUpdate(u => u.SetProperty(i => i.ImportedAt, now.AddDays(-2))));
        var editor = await SignedInAsync(Roles.Editor);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        string Day(int offset) => today.AddDays(offset).ToString("yyyy-MM-dd");

        var receivedToday = QueuePage.Titles(await editor.GetStringAsync($"/?View.Category={_category}&View.ReceivedFrom={Day(0)}"));
        var receivedBefore = QueuePage.Titles(await editor.GetStringAsync($"/?View.Category={_category}&View.ReceivedTo={Day(-1)}"));
        var byReceived = QueuePage.Titles(await editor.GetStringAsync($"/?View.Category={_category}&View.Sort=received"));
        var byPublished = QueuePage.Titles(await editor.GetStringAsync($"/?View.Category={_category}"));

        Assert.Equal([fresh.Title], receivedToday);
        Assert.Equal([old.Title, middle.Title], receivedBefore); // in the default order, by published date
        Assert.Equal([fresh.Title, middle.Title, old.Title], byReceived);
        Assert.Equal([old.Title, middle.Title, fresh.Title], byPublished);
    }
}
