using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Items;

// An item an editor has worked on (quality set to 77) with a newer source waiting as a revision:
// the title changes, the quality becomes 52 and the excerpt arrives written with a YAML escape.
public static class Revisions
{
    public const string EscapedExcerpt = "\"Asia\\u2013Europe route\"";
    public const string DecodedExcerpt = "Asia\u2013Europe route";

    public static TestItem Incoming(TestItem story) =>
        story with { Title = story.Title + " (updated)", Quality = 52, Excerpt = "PLACEHOLDER" };

    public static async Task<long> EditedItemWithRevisionAsync(AppFixture app, TestItem story)
    {
        await app.ImportAsync(story);
        var id = app.ItemId(story);
        app.Factory.WithDb(db => db.Items.Where(i => i.Id == id)
            .ExecuteUpdate(s => s.SetProperty(i => i.EditedAt, DateTimeOffset.UtcNow).SetProperty(i => i.EditedBy, "someone").SetProperty(i => i.Quality, 77)));
        var report = await Corpus.ImportAsync(app.Factory.Services, Incoming(story).ToYaml().Replace("\"PLACEHOLDER\"", EscapedExcerpt));
        Assert.Equal(1, report.Revisions);
        return id;
    }
}
